// npm run report -- [--team <id>] [--days N] [--until YYYY-MM-DD] [--db-url <url>] [--json]
//
// The funnel in the terminal, as dashboards get it from funnel_report: every team and all teams,
// or one team; --json prints funnel_report's JSON instead of the table.
// Database: --db-url, else SUPABASE_DB_URL, else the local stack (127.0.0.1:VORONKA_PG_PORT, 54322).
import postgres from "postgres";
import { dateFlag, parseCommandLine, wholeNumberFlag } from "./lib/command-line.ts";
import { funnelReportAsServiceRole, printFunnel } from "./lib/funnel-printout.ts";
import { renderFunnel } from "./lib/funnel-table.ts";
import { terminalDatabaseUrl } from "./lib/terminal-env.ts";
import { usageFromHeader } from "./lib/command-line.ts";

const line = parseCommandLine("report", usageFromHeader("report", import.meta.url), {
  team: { type: "string" },
  days: { type: "string" },
  until: { type: "string" },
  "db-url": { type: "string" },
  json: { type: "boolean" },
});
const { values } = line;
const days = wholeNumberFlag(line, "days", values.days, 1) ?? 30;
if (days > 366) line.fail(`--days must be at most 366, got ${days}`);
const until = dateFlag(line, "until", values.until) ? values.until!.slice(0, 10) : null;
const url = values["db-url"] ?? terminalDatabaseUrl();

const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
try {
  const team = values.team ?? null;
  if (team) {
    const [known] = await sql`select 1 from voronka.team where id = ${team}`;
    if (!known) {
      const teams = (await sql`select id from voronka.team order by id`).map((r) => r.id as string);
      line.fail(`no team "${team}"; teams: ${teams.join(", ") || "none yet"}`);
    }
  }
  if (values.json) {
    console.log(JSON.stringify(await funnelReportAsServiceRole(sql, { team, days, until }), null, 2));
  } else if (team) {
    console.log(renderFunnel(await funnelReportAsServiceRole(sql, { team, days, until }), [], team));
  } else {
    console.log(await printFunnel(url, days, until));
  }
} catch (error) {
  console.error(`report: ${(error as Error).message} (database ${url.replace(/:[^:@/]*@/, ":***@")})`);
  process.exitCode = 1;
} finally {
  await sql.end();
}
