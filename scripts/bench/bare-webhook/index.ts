// The benchmark's ceiling (Deno, not a project function): the same receiver front half (secret,
// content type, capped body read) and one INSERT of the raw body into the inbox, with no parsing
// or processing. npm run bench:webhook compares the real receiver with this.
import { connectDatabase } from "../../../supabase/functions/_shared/database.ts";
import { authorize } from "../../../supabase/functions/_shared/authorize.ts";
import { errorResponse, json } from "../../../supabase/functions/_shared/http.ts";
import { readBodyWithLimit } from "../../../supabase/functions/_shared/request-body.ts";

declare const Deno: { env: { get(name: string): string | undefined } };

const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", { max: 5 });
const secret = Deno.env.get("AMOCRM_WEBHOOK_SECRET") ?? "";

export default {
  async fetch(request: Request): Promise<Response> {
    const refused = authorize(request, { secret, setting: "AMOCRM_WEBHOOK_SECRET", places: ["query"] });
    if (refused) return refused;
    if (!(request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      return errorResponse("unsupported_media_type", "form bodies only");
    }
    const body = new TextDecoder().decode(await readBodyWithLimit(request, 5 * 1024 * 1024));
    const [row] = await sql`
      insert into inbox.amocrm_webhook_event (body, body_sha256, content_type)
      values (${body}, sha256(convert_to(${body}, 'UTF8')), ${request.headers.get("content-type")})
      on conflict (body_sha256) do update set deliveries = inbox.amocrm_webhook_event.deliveries + 1
      returning id`;
    return json(200, { ok: true, stored: true, event_id: row.id });
  },
};
