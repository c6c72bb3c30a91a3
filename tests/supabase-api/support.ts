// The local Data API + Auth on a seeded test database, and supabase-js clients against it.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { VoronkaDatabase } from "../../supabase/types/api.ts";

/** supabase-js creates a realtime client; Node 20 has no WebSocket and no test here uses realtime. */
class NoWebSocket {
  constructor() {
    throw new Error("realtime is not part of the local stand-in");
  }
}

export function supabaseClient(url: string, key: string): SupabaseClient<VoronkaDatabase> {
  return createClient<VoronkaDatabase>(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: NoWebSocket as never },
  });
}

/** The claims of a JWT (no verification: for reading what a test was given). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}
