// Entry point (Deno): configuration from the environment, everything else in _shared.
import { connectDatabase } from "../_shared/database.ts";
import { createHealthHandler } from "../_shared/health/handler.ts";
import { withInternalErrors } from "../_shared/http.ts";

const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", { max: 1 });

export default { fetch: withInternalErrors(createHealthHandler({ sql }), "health") };
