// Dashboards call the RPCs through supabase-js with the committed types: a typed call must compile
// with tsc against supabase/types (database.types.ts + api.ts). The same call against a copy of
// database.types.ts with the Supabase CLI's TLS notice in it (what once landed there) must not: the
// check can fail.
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import ts from "typescript";
import { afterAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";

const DIR = path.join(PROJECT_ROOT, `.local/typed-api-${randomBytes(4).toString("hex")}`);
const TYPES = path.join(PROJECT_ROOT, "supabase/types");

const CALL = `
import { createClient } from "@supabase/supabase-js";
import type { AdReport, CohortReport, FunnelReport, VoronkaDatabase } from "./types/api.ts";

const supabase = createClient<VoronkaDatabase>("http://127.0.0.1:54321", "anon-key");

export async function spend(): Promise<number | null | undefined> {
  const { data } = await supabase.rpc("funnel_report", { p_team: null, p_days: 30 });
  const report: FunnelReport | null = data;
  const rows = await supabase.rpc("funnel_daily", { p_team: "kenesary" });
  const leads: number | undefined = rows.data?.[0]?.leads;
  // @ts-expect-error an argument funnel_report does not have (fails if the types collapse to any)
  await supabase.rpc("funnel_report", { p_teams: "kenesary" });
  return leads === undefined ? report?.stages[0].spend : report?.totals.spend;
}

export async function adsAndCohorts(): Promise<(number | null | undefined)[]> {
  const ads = await supabase.rpc("ad_report", { p_team: null, p_level: "campaign", p_model: "first_touch" });
  const adReport: AdReport | null = ads.data;
  const level: "campaign" | "adset" | "ad" | undefined = adReport?.level;
  const unmatchedLeads: number | undefined = adReport?.unmatched?.[0]?.leads;
  const cohorts = await supabase.rpc("cohort_report", { p_team: "kenesary", p_from: null, p_grain: "week" });
  const cohortReport: CohortReport | null = cohorts.data;
  const horizon = cohortReport?.cohorts[0]?.horizons[0];
  const young: boolean | undefined = horizon?.too_young;
  // @ts-expect-error a level ad_report does not have
  await supabase.rpc("ad_report", { p_level: "creative" });
  // @ts-expect-error cohort_report takes p_from / p_until, not p_days
  await supabase.rpc("cohort_report", { p_days: 30 });
  // @ts-expect-error a figure the ad rows do not have
  adReport?.rows[0]?.ctr;
  return [level === "ad" ? 1 : 0, unmatchedLeads, young ? horizon?.roi : cohortReport?.cohorts[0]?.payback_day];
}
`;

async function compile(databaseTypes: string): Promise<string[]> {
  await rm(DIR, { recursive: true, force: true });
  await mkdir(path.join(DIR, "types"), { recursive: true });
  await writeFile(path.join(DIR, "types/database.types.ts"), databaseTypes);
  await copyFile(path.join(TYPES, "api.ts"), path.join(DIR, "types/api.ts"));
  await writeFile(path.join(DIR, "call.ts"), CALL);
  const program = ts.createProgram([path.join(DIR, "call.ts")], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: [],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file ? path.basename(d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
}

afterAll(() => rm(DIR, { recursive: true, force: true }));

it("a typed supabase.rpc call compiles against the committed API types", async () => {
  const committed = await readFile(path.join(TYPES, "database.types.ts"), "utf8");
  expect(await compile(committed)).toEqual([]);
}, 60_000);

it("the same call fails to compile when the CLI's TLS notice is in database.types.ts", async () => {
  const committed = await readFile(path.join(TYPES, "database.types.ts"), "utf8");
  const broken = `Connected to 127.0.0.1:54322 without TLS (sslmode=prefer)\n${committed}`;
  const errors = await compile(broken);
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.join("\n")).toMatch(/database\.types\.ts/);
}, 60_000);
