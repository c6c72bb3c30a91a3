// Email and password through Supabase Auth (signInWithPassword).
import { useState, type FormEvent } from "react";
import { useI18n } from "../lib/i18n.tsx";
import { SESSION_EXPIRED_FLAG } from "../lib/rpc.ts";
import { configured, supabase } from "../lib/supabase.ts";

export function Login() {
  const { t, language, setLanguage } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(() =>
    sessionStorage.getItem(SESSION_EXPIRED_FLAG) ? "expired" : undefined,
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const { error: failure } = await supabase.auth.signInWithPassword({ email, password });
    setBusy(false);
    if (failure) setError(failure.status === 400 ? "invalid" : failure.message);
    else sessionStorage.removeItem(SESSION_EXPIRED_FLAG);
  }

  const message = error === "invalid" ? t.login.invalid : error === "expired" ? t.login.expired : error;
  return (
    <main className="login">
      <form onSubmit={submit} className="card login-card">
        <h1>{t.login.title}</h1>
        {!configured && <p className="problem">{t.login.notConfigured}</p>}
        <label>
          {t.login.email}
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          {t.login.password}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {message && (
          <p className="problem" role="alert">
            {message}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t.login.submitting : t.login.submit}
        </button>
        <button type="button" className="link" onClick={() => setLanguage(language === "ru" ? "en" : "ru")}>
          {t.language}
        </button>
      </form>
    </main>
  );
}
