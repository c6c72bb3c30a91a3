// Secrets and account settings the functions need, with local-only defaults so `npm start` works
// out of the box. Anything set in the environment or supabase/functions/.env wins; on hosted
// Supabase these come from `supabase secrets set` and the defaults below never apply.
export const LOCAL_FUNCTION_DEFAULTS: Record<string, string> = {
  LEAD_CAPTURE_SECRET: "local-lead-capture-secret",
  AMOCRM_WEBHOOK_SECRET: "local-amocrm-webhook-secret",
  AMOCRM_RECONCILE_SECRET: "local-amocrm-reconcile-secret",
  AMOCRM_SUBDOMAIN: "voronka-demo",
  AMOCRM_ACCOUNT_ID: "31000001",
  FB_SYNC_SECRET: "local-facebook-sync-secret",
};

/** The environment with local defaults filled in, and the names that were defaulted. */
export function withLocalDefaults(env: Record<string, string>): { env: Record<string, string>; defaulted: string[] } {
  const defaulted = Object.keys(LOCAL_FUNCTION_DEFAULTS).filter((name) => !env[name]?.trim());
  return { env: { ...env, ...Object.fromEntries(defaulted.map((n) => [n, LOCAL_FUNCTION_DEFAULTS[n]])) }, defaulted };
}

/**
 * How to get a secret into the shell, without printing it: the try-it commands below use
 * `$NAME`, and terminal scroll-back, screen shares and CI logs never see a value.
 */
function exportCommand(name: string, env: Record<string, string>): string {
  if (env[name] === LOCAL_FUNCTION_DEFAULTS[name]) {
    return `export ${name}="$(sed -n 's/^ *${name}: "\\(.*\\)",$/\\1/p' scripts/local/local-secrets.ts)"   # the local default`;
  }
  // The file's own rules (dotenv: quotes, `# comments`), as the functions read it: Node's parseEnv.
  return `export ${name}="$(node -p 'require("node:util").parseEnv(require("node:fs").readFileSync("supabase/functions/.env", "utf8")).${name} ?? ""')"   # or however you set it`;
}

/** Commands a newcomer can paste to see ingestion reach the report. Secrets by name only. */
export function tryItCommands(functionsUrl: string, databaseUrl: string, env: Record<string, string>): string {
  const now = Math.floor(Date.now() / 1000);
  const deal = [
    "leads[status][0][id]=99000001",
    "leads[status][0][status_id]=142",
    "leads[status][0][old_status_id]=55000001",
    "leads[status][0][pipeline_id]=7000002",
    "leads[status][0][price]=5000",
    `leads[status][0][last_modified]=${now}`,
    "leads[status][0][custom_fields][0][id]=900001",
    "leads[status][0][custom_fields][0][code]=UTM_SOURCE",
    "leads[status][0][custom_fields][0][name]=utm_source",
    "leads[status][0][custom_fields][0][values][0][value]=traf4",
    `account[id]=${env.AMOCRM_ACCOUNT_ID}`,
    `account[subdomain]=${env.AMOCRM_SUBDOMAIN}`,
  ].join("&");
  return [
    "Try it (the report has them at once; the view catches up within a minute). From the project folder:",
    `  ${exportCommand("LEAD_CAPTURE_SECRET", env)}`,
    `  ${exportCommand("AMOCRM_WEBHOOK_SECRET", env)}`,
    `  curl -s -X POST '${functionsUrl}/lead-capture' -H "Authorization: Bearer $LEAD_CAPTURE_SECRET" \\`,
    `       -H 'Content-Type: application/json' -d '{"submission_id":"try-1","utm_source":"kenesary"}'`,
    `  curl -s -X POST "${functionsUrl}/amocrm-webhook?secret=$AMOCRM_WEBHOOK_SECRET" \\`,
    `       --data '${deal}'`,
    `  psql '${databaseUrl}' -At -c "select jsonb_pretty(public.funnel_report(null, 1))"`,
  ].join("\n");
}
