// The second half of authentication (the first is the URL secret): the body must come from the
// configured amoCRM account. Account webhooks are unsigned, so this is what stops a leaked
// secret being used with another account's hook. Only values present in the body are compared:
// older payloads carry no account[id], and a body we cannot parse is stored, not refused.
import type { FormObject, FormValue } from "./form-body.ts";
import type { AmocrmConfig } from "./config.ts";

export function accountMismatch(payload: FormObject, config: AmocrmConfig): string | null {
  const account = asObject(payload.account);
  const subdomain = typeof account?.subdomain === "string" ? account.subdomain : null;
  if (config.subdomain && subdomain !== null && subdomain.toLowerCase() !== config.subdomain.toLowerCase()) {
    return `account[subdomain] ${JSON.stringify(subdomain)} is not the configured account`;
  }
  if (config.accountId) {
    const ids = new Set<string>();
    if (typeof account?.id === "string") ids.add(account.id);
    // Older payloads name the account only on each lead.
    for (const leads of Object.values(asObject(payload.leads) ?? {})) {
      if (!Array.isArray(leads)) continue;
      for (const lead of leads) {
        const id = asObject(lead)?.account_id;
        if (typeof id === "string") ids.add(id);
      }
    }
    for (const id of ids) {
      if (id !== config.accountId) return `account id ${JSON.stringify(id)} is not the configured account`;
    }
  }
  return null;
}

function asObject(value: FormValue | undefined): FormObject | null {
  return value !== undefined && typeof value === "object" && !Array.isArray(value) ? value : null;
}
