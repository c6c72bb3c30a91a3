// page_url only fills UTM tags the landing did not post; what it posted stands. The query string
// is read in SQL (voronka.record_proftest_lead → voronka.utm_from_url), the one URL parser that
// amoCRM's URL fields use too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function receive(submission: Record<string, string>) {
  const [{ outcome }] = await db.sql`
    select voronka.lead_capture_receive('{}', 'application/json', null, ${db.sql.json(submission)}, null) as outcome`;
  expect(outcome.outcome).toBe("recorded");
  const [lead] = await db.sql`
    select utm_source, utm_medium, utm_campaign, utm_content, utm_term from voronka.lead
    where source = 'proftest' and external_id = ${submission.submission_id}`;
  return lead;
}

describe("UTM tags from page_url", () => {
  it("fill the missing fields and never override posted ones", async () => {
    expect(
      await receive({
        submission_id: "pt-1",
        occurred_at: "2026-11-20T10:00:00Z",
        utm_source: "kenesary",
        utm_campaign: "",
        page_url: "https://school.kz/test?utm_source=other&amp;utm_campaign=ken_video&utm_medium=cpc",
      }),
    ).toEqual({
      utm_source: "kenesary",
      utm_medium: "cpc",
      utm_campaign: "ken_video",
      utm_content: null,
      utm_term: null,
    });
  });

  it("percent-decode (Cyrillic, + as space) and keep an undecodable value as sent", async () => {
    expect(
      await receive({
        submission_id: "pt-2",
        occurred_at: "2026-11-20T10:00:00Z",
        page_url: "https://school.kz/?utm_campaign=%D0%BE%D1%81%D0%B5%D0%BD%D1%8C+2026&utm_source=a%00b#utm_term=x",
      }),
    ).toEqual({ utm_source: "a%00b", utm_medium: null, utm_campaign: "осень 2026", utm_content: null, utm_term: null });
  });

  it("no page_url, or one without a query: nothing filled", async () => {
    expect(await receive({ submission_id: "pt-3", occurred_at: "2026-11-20T10:00:00Z" })).toEqual({
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      utm_content: null,
      utm_term: null,
    });
    expect(
      await receive({ submission_id: "pt-4", occurred_at: "2026-11-20T10:00:00Z", page_url: "https://school.kz/test" }),
    ).toMatchObject({ utm_source: null, utm_campaign: null });
  });
});
