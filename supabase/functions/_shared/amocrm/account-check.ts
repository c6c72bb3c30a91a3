// The second half of authentication (the first is the URL secret): the body must come from the
// configured amoCRM account. Account webhooks are unsigned, so this is what stops a leaked
// secret being used with another account's hook. Only fields present in the body are compared
// (older payloads carry no account[id], and a body we cannot parse is stored, not refused), but
// every one present must be exactly the configured account: a list (`account[id][]=`), a map or
// an empty value is a mismatch, never a skipped check.
import type { FormObject, FormValue } from "./form-body.ts";
import type { AmocrmConfig } from "./config.ts";

export function accountMismatch(payload: FormObject, config: AmocrmConfig): string | null {
  if (!config.subdomain && !config.accountId) return null;
  const account = payload.account;
  if (account !== undefined && !isMap(account)) {
    return `account is ${describe(account)}, not the account's fields (account[id], account[subdomain])`;
  }
  if (config.subdomain && account !== undefined && account.subdomain !== undefined) {
    const subdomain = account.subdomain;
    if (typeof subdomain !== "string" || subdomain.toLowerCase() !== config.subdomain.toLowerCase()) {
      return `account[subdomain] ${describe(subdomain)} is not the configured account`;
    }
  }
  if (config.accountId) {
    const ids: FormValue[] = [];
    if (account !== undefined && account.id !== undefined) ids.push(account.id);
    // Older payloads name the account only on each lead (leads[<action>][<i>][account_id]).
    const leads = payload.leads;
    for (const group of isMap(leads) ? Object.values(leads) : []) {
      if (typeof group !== "object") continue;
      for (const lead of Object.values(group)) {
        if (isMap(lead) && lead.account_id !== undefined) ids.push(lead.account_id);
      }
    }
    for (const id of ids) {
      if (id !== config.accountId) return `account id ${describe(id)} is not the configured account`;
    }
  }
  return null;
}

function isMap(value: FormValue | undefined): value is FormObject {
  return value !== undefined && typeof value === "object" && !Array.isArray(value);
}

function describe(value: FormValue): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
