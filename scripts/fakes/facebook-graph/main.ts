// npm run fake:facebook: the fake Graph API on its own, with the seed scenario (or the benchmark
// one). Point the sync at it with FB_GRAPH_URL=http://127.0.0.1:<port> and the token below.
//   FAKE_FACEBOOK_PORT (54341)  FAKE_FACEBOOK_TOKEN (fake-token)  FAKE_FACEBOOK_APP_SECRET (none)
//   FAKE_FACEBOOK_LATENCY_MS (0)  FAKE_FACEBOOK_SCENARIO (seed: the ad accounts of supabase/seed.sql | demo: the tests' | bench:<accounts>x<ads>)
// Faults: curl -X POST localhost:54341/_fake/faults -d '{"kind":"throttle","path":"act_111","regainMinutes":5}'
//         curl -X DELETE localhost:54341/_fake/faults        curl localhost:54341/_fake/stats
import { benchScenario, demoScenario, seedScenario } from "./scenario.ts";
import { startFakeGraph } from "./server.ts";
import { parseCommandLine } from "../../lib/command-line.ts";

parseCommandLine(
  "fake:facebook",
  `Usage: npm run fake:facebook
A fake Facebook Graph API with the demo's ad accounts, until Ctrl-C. Environment: FAKE_FACEBOOK_PORT (54341),
FAKE_FACEBOOK_TOKEN (fake-token), FAKE_FACEBOOK_APP_SECRET, FAKE_FACEBOOK_LATENCY_MS (0),
FAKE_FACEBOOK_SCENARIO (seed: the ad accounts of supabase/seed.sql | demo: the tests' | bench:<accounts>x<ads>).`,
  {},
);

const which = process.env.FAKE_FACEBOOK_SCENARIO ?? "seed";
const bench = which.match(/^bench:(\d+)x(\d+)$/);
if (!bench && which !== "seed" && which !== "demo") {
  process.stderr.write(
    `fake:facebook: FAKE_FACEBOOK_SCENARIO must be seed, demo or bench:<accounts>x<ads>, got "${which}"\n`,
  );
  process.exit(2);
}
const scenario = bench
  ? benchScenario(Number(bench[1]), Number(bench[2]))
  : which === "demo"
    ? demoScenario()
    : seedScenario();
const fake = await startFakeGraph({
  scenario,
  port: Number(process.env.FAKE_FACEBOOK_PORT ?? 54341),
  accessToken: process.env.FAKE_FACEBOOK_TOKEN ?? "fake-token",
  appSecret: process.env.FAKE_FACEBOOK_APP_SECRET || undefined,
  latencyMs: Number(process.env.FAKE_FACEBOOK_LATENCY_MS ?? 0),
  recordRequests: false,
});
console.log(`fake Graph API (${which} scenario) on ${fake.url}`);
console.log(`  FB_GRAPH_URL=${fake.url} FB_ACCESS_TOKEN=${process.env.FAKE_FACEBOOK_TOKEN ?? "fake-token"}`);
const stop = () => fake.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
