// Signed out: the login page. Signed in: the shell with the page the hash names. The session lives
// in localStorage (supabase-js), so a reload keeps the user signed in.
import type { Session } from "@supabase/supabase-js";
import { useEffect, useState } from "react";
import { Shell } from "./components/Shell.tsx";
import { Login } from "./pages/Login.tsx";
import { SESSION_EXPIRED_FLAG, SIGNING_OUT_FLAG } from "./lib/rpc.ts";
import { supabase } from "./lib/supabase.ts";

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    supabase.auth.getSession().then(({ data }) => setSession(data.session));
    const { data } = supabase.auth.onAuthStateChange((event, next) => {
      // Signed out without the user asking (the refresh token was refused): the login page says why.
      if (event === "SIGNED_OUT" && !sessionStorage.getItem(SIGNING_OUT_FLAG))
        sessionStorage.setItem(SESSION_EXPIRED_FLAG, "1");
      sessionStorage.removeItem(SIGNING_OUT_FLAG);
      setSession(next);
    });
    return () => data.subscription.unsubscribe();
  }, []);
  if (session === undefined) return null;
  return session ? <Shell session={session} /> : <Login />;
}
