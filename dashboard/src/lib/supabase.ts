// The one Supabase client of the dashboard, typed with the project's API types.
import { createClient } from "@supabase/supabase-js";
import type { VoronkaDatabase } from "../../../supabase/types/api.ts";
import { readConfig } from "./config.ts";

const config = readConfig();

export const supabase = createClient<VoronkaDatabase>(config.supabaseUrl, config.supabaseAnonKey, {
  auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
});

export const configured = Boolean(config.supabaseAnonKey);
