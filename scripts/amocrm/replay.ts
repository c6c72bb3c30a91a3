// npm run amocrm:replay -- [--failed] [--from-id N] [--to-id N] [--since ISO] [--until ISO]
// Re-processes stored amoCRM webhooks (all by default). See docs/amocrm.md.
import postgres from "postgres";
import { replayAmocrmEvents } from "../../supabase/functions/_shared/amocrm/replay.ts";
import { dateFlag, parseCommandLine, wholeNumberFlag } from "../lib/command-line.ts";
import { terminalDatabaseUrl } from "../lib/terminal-env.ts";

const line = parseCommandLine(
  "amocrm:replay",
  `Usage: npm run amocrm:replay -- [--all | --failed] [--from-id N] [--to-id N] [--since ISO] [--until ISO]
Re-parses and re-applies stored amoCRM webhooks (inbox.amocrm_webhook_event) in receipt order.
  --all       every stored event (the default)
  --failed    only events stored unprocessed (status failed)
  --from-id / --to-id   inbox event id range, inclusive
  --since / --until     receive time range (ISO 8601; until is exclusive)
Database: SUPABASE_DB_URL, else the local stack (127.0.0.1:54322).`,
  {
    failed: { type: "boolean", default: false },
    all: { type: "boolean", default: false },
    "from-id": { type: "string" },
    "to-id": { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
  },
);
const { values } = line;
if (values.all && values.failed) line.fail("--all and --failed exclude each other");
const filter = {
  failedOnly: values.failed ?? false,
  fromId: wholeNumberFlag(line, "from-id", values["from-id"], 1),
  toId: wholeNumberFlag(line, "to-id", values["to-id"], 1),
  since: dateFlag(line, "since", values.since),
  until: dateFlag(line, "until", values.until),
};

const url = terminalDatabaseUrl();
const sql = postgres(url, { onnotice: () => {}, max: 1 });
try {
  const started = Date.now();
  const result = await replayAmocrmEvents({
    sql,
    filter,
    onProgress: (done, total) => process.stderr.write(`\rreplayed ${done}/${total}`),
  });
  process.stderr.write("\n");
  console.log(
    `Replayed ${result.events} event(s) in ${Date.now() - started} ms: ${result.processed} processed, ` +
      `${result.ignored} ignored (no deals), ${result.failed} failed.` +
      (result.needsEnrichment.length
        ? ` ${result.needsEnrichment.length} deal(s) still need an API read: npm run amocrm:reconcile.`
        : ""),
  );
  if (result.failed > 0) {
    console.log("Why they failed: select id, error from inbox.amocrm_webhook_event where status = 'failed';");
  }
} catch (error) {
  console.error(`amocrm:replay failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await sql.end();
}
