// Every test file starts from the same settings, whoever runs it: the developer's
// supabase/functions/.env is replaced by an empty file, and function settings exported in their
// shell (FB_ACCESS_TOKEN, AMOCRM_*, …) are removed, so no real token or secret reaches a test and
// no local value changes an outcome. Tests pass what they need explicitly.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const TEST_FUNCTIONS_ENV_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "functions.env");

const DEVELOPER_SETTINGS = /^(AMOCRM|FB|LEAD_CAPTURE|DB|FAKE_FACEBOOK|FAKE_AMOCRM)_/;
const DEVELOPER_STACK = ["SUPABASE_DB_URL", "VORONKA_PG_PORT", "VORONKA_FUNCTIONS_PORT", "VORONKA_DATA_DIR"];

for (const name of Object.keys(process.env)) {
  if (DEVELOPER_SETTINGS.test(name) || DEVELOPER_STACK.includes(name)) delete process.env[name];
}
process.env.VORONKA_FUNCTIONS_ENV_FILE = TEST_FUNCTIONS_ENV_FILE;
