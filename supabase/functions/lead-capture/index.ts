// Entry point (Deno): configuration from the environment, everything else in _shared.
import { connectDatabase } from "../_shared/database.ts";
import { createLeadCaptureHandler } from "../_shared/lead-capture/handler.ts";

const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "");

export default {
  fetch: createLeadCaptureHandler({ sql, config: { secret: Deno.env.get("LEAD_CAPTURE_SECRET") ?? "" } }),
};
