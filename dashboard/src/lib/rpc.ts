// Calls an RPC for a page and keeps the last good answer on screen while the next one loads (no
// layout jumps). Errors are sorted into what a person can act on: a forbidden team, an expired
// session (signs out, the login page says why), the database down, a network failure.
import { useCallback, useEffect, useState } from "react";
import type { VoronkaDatabase } from "../../../supabase/types/api.ts";
import { supabase } from "./supabase.ts";

type Functions = VoronkaDatabase["public"]["Functions"];

export type RpcProblem =
  | { kind: "forbidden"; message: string }
  | { kind: "bad-request"; message: string }
  | { kind: "expired"; message: string }
  | { kind: "database-down"; message: string }
  | { kind: "network"; message: string };

export interface RpcState<T> {
  data: T | undefined;
  problem: RpcProblem | undefined;
  loading: boolean;
  reload(): void;
}

export const SESSION_EXPIRED_FLAG = "voronka.sessionExpired";
/** Set while the user signs out on purpose (the sign-out button). */
export const SIGNING_OUT_FLAG = "voronka.signingOut";

export function classify(error: { code?: string; message: string }, status: number): RpcProblem {
  if (status === 401 || error.code === "PGRST301" || error.code === "PGRST303") {
    return { kind: "expired", message: error.message };
  }
  if (status === 403 || error.code === "42501") return { kind: "forbidden", message: error.message };
  if (status >= 500 || error.code === "PGRST000" || error.code === "PGRST001") {
    return { kind: "database-down", message: error.message };
  }
  if (status === 0 || !status) return { kind: "network", message: error.message };
  return { kind: "bad-request", message: error.message };
}

export async function callRpc<F extends keyof Functions>(
  fn: F,
  args: Functions[F]["Args"],
): Promise<{ data?: Functions[F]["Returns"]; problem?: RpcProblem }> {
  const { data, error, status } = await supabase.rpc(fn, args as never);
  if (!error) return { data: data as unknown as Functions[F]["Returns"] };
  const problem = classify(error, status);
  if (problem.kind === "expired") {
    sessionStorage.setItem(SESSION_EXPIRED_FLAG, "1");
    await supabase.auth.signOut({ scope: "local" });
  }
  return { problem };
}

export function useRpc<F extends keyof Functions>(
  fn: F,
  args: Functions[F]["Args"],
): RpcState<Functions[F]["Returns"]> {
  const key = JSON.stringify(args);
  const [state, setState] = useState<{ data?: Functions[F]["Returns"]; problem?: RpcProblem; loading: boolean }>({
    loading: true,
  });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    callRpc(fn, JSON.parse(key)).then((result) => {
      if (current) setState({ data: result.data, problem: result.problem, loading: false });
    });
    return () => {
      current = false;
    };
  }, [fn, key, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data: state.data, problem: state.problem, loading: state.loading, reload };
}
