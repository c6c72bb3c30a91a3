// Entry point (Deno): configuration from the environment, everything else in _shared/facebook.
import { connectDatabase } from "../_shared/database.ts";
import { readFacebookConfig } from "../_shared/facebook/config.ts";
import { createFacebookSyncHandler } from "../_shared/facebook/handler.ts";

const config = readFacebookConfig(Deno.env.toObject());
const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", { max: config.concurrency + 1 });

export default { fetch: createFacebookSyncHandler({ sql, config }) };
