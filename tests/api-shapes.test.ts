// The hand-written shapes in supabase/types/api.ts name exactly the keys the RPCs' JSON has: every
// object of funnel_report, ad_report and cohort_report on the demo data, compared key by key with the
// properties tsc sees on the matching type (a renamed, added or dropped key fails here).
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

const API = path.join(PROJECT_ROOT, "supabase/types/api.ts");
let db: TestDatabase;
let checker: ts.TypeChecker;
let source: ts.SourceFile;

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
  const program = ts.createProgram([API], {
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  checker = program.getTypeChecker();
  source = program.getSourceFile(API)!;
}, 120_000);
afterAll(() => db?.drop());

/** The property names of a type of api.ts, or of a property's type inside it (`CohortReport`, `window`). */
function keysOf(typeName: string, ...property: string[]): string[] {
  const declaration = source.statements.find(
    (s): s is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
      (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === typeName,
  );
  if (!declaration) throw new Error(`no type ${typeName} in api.ts`);
  let type = checker.getTypeAtLocation(declaration.name);
  for (const name of property) {
    const symbol = type.getProperty(name)!;
    type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(symbol, declaration));
  }
  return checker
    .getPropertiesOfType(type)
    .map((p) => p.name)
    .sort();
}

const keys = (value: unknown) => Object.keys(value as object).sort();

async function call<T = Record<string, any>>(query: string): Promise<T> {
  const [row] = await db.sql.unsafe(`select ${query} as r`);
  return row.r as T;
}

it("funnel_report's objects are FunnelReport's", async () => {
  for (const basis of ["sale_date", "lead_date"]) {
    const r = await call(`public.funnel_report(null, 30, null, '${basis}')`);
    expect(keys(r)).toEqual(keysOf("FunnelReport"));
    expect(keys(r.window)).toEqual(keysOf("ReportWindow"));
    expect(keys(r.freshness)).toEqual(keysOf("Freshness"));
    expect(keys(r.totals)).toEqual(keysOf("FunnelReport", "totals"));
    expect(r.stages.map(keys)).toEqual(
      ["SpendStage", "LeadsStage", "ExpressStage", "FlagmanStage"].map((t) => keysOf(t)),
    );
    for (const row of r.by_team) expect(keys(row)).toEqual(keysOf("TeamRow"));
  }
});

it("ad_report's objects are AdReport's, at every level and under both models", async () => {
  for (const level of ["campaign", "adset", "ad"]) {
    for (const model of ["last_touch", "first_touch"]) {
      const r = await call(`public.ad_report(null, 30, null, '${level}', '${model}')`);
      expect(keys(r)).toEqual(keysOf("AdReport"));
      expect(r.rows.length).toBeGreaterThan(0);
      expect(r.unmatched.length).toBeGreaterThan(0);
      for (const row of [...r.rows, ...r.unmatched]) expect(keys(row)).toEqual(keysOf("AdRow"));
      expect(keys(r.totals)).toEqual(keysOf("AdFigures"));
      expect(keys(r.match)).toEqual(keysOf("AdReport", "match"));
      for (const rate of Object.values(r.match)) expect(keys(rate)).toEqual(keysOf("MatchRate"));
      expect(keys(r.window)).toEqual(keysOf("ReportWindow"));
      expect(keys(r.freshness)).toEqual(keysOf("Freshness"));
    }
  }
});

it("cohort_report's objects are CohortReport's, by month and by week", async () => {
  for (const grain of ["month", "week"]) {
    const r = await call(`public.cohort_report(null, null, null, '${grain}')`);
    expect(keys(r)).toEqual(keysOf("CohortReport"));
    expect(keys(r.window)).toEqual(keysOf("CohortReport", "window"));
    expect(keys(r.freshness)).toEqual(keysOf("Freshness"));
    expect(r.cohorts.length).toBeGreaterThan(0);
    for (const cohort of r.cohorts) {
      expect(keys(cohort)).toEqual(keysOf("Cohort"));
      expect(keys(cohort.to_date)).toEqual(keysOf("Cohort", "to_date"));
      expect(keys(cohort.lead_to_express_days)).toEqual(keysOf("Cohort", "lead_to_express_days"));
      expect(keys(cohort.express_to_flagman_days)).toEqual(keysOf("Cohort", "express_to_flagman_days"));
      for (const horizon of cohort.horizons) expect(keys(horizon)).toEqual(keysOf("CohortHorizon"));
    }
  }
});
