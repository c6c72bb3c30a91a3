// page_url only fills UTM tags the landing did not post; what it posted stands. The query string
// is read in SQL (voronka.record_proftest_lead → voronka.utm_from_url), the one URL parser that
// amoCRM's URL fields use too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  jsonNestingDepth,
  parseSubmission,
  storableText,
} from "../../supabase/functions/_shared/lead-capture/submission.ts";
import { readLeadCaptureConfig } from "../../supabase/functions/_shared/lead-capture/config.ts";
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

const received = new Date("2026-11-20T10:00:00.000Z");
const accepted = (occurredAt: string) => parseSubmission({ submission_id: "pt", occurred_at: occurredAt }, received).ok;

describe("occurred_at's limits, to the millisecond and the minute", () => {
  it("accepts 2000-01-01T00:00:00Z and exactly one day after receipt; refuses a millisecond outside either", () => {
    expect(accepted("2000-01-01T00:00:00.000Z")).toBe(true);
    expect(accepted("1999-12-31T23:59:59.999Z")).toBe(false);
    // received 2026-11-20T10:00Z + 24 h = 2026-11-21T10:00Z
    expect(accepted("2026-11-21T10:00:00.000Z")).toBe(true);
    expect(accepted("2026-11-21T10:00:00.001Z")).toBe(false);
    // The same instant with an offset: 15:00+05:00 = 10:00Z.
    expect(accepted("2026-11-21T15:00:00.000+05:00")).toBe(true);
    expect(accepted("2026-11-21T15:00:00.001+05:00")).toBe(false);
  });

  it("accepts offsets up to ±14:00 and refuses ±14:01", () => {
    expect(accepted("2026-11-20T23:00:00+14:00")).toBe(true);
    expect(accepted("2026-11-19T20:00:00-14:00")).toBe(true);
    const offsetIssue = { path: "occurred_at", message: "occurred_at has a UTC offset beyond ±14:00" };
    for (const value of ["2026-11-20T23:00:00+14:01", "2026-11-19T20:00:00-14:01"]) {
      expect(parseSubmission({ submission_id: "pt", occurred_at: value }, received), value).toEqual({
        ok: false,
        issues: [offsetIssue],
      });
    }
    // 13:59 is inside: the minutes count.
    expect(accepted("2026-11-20T22:59:00+13:59")).toBe(true);
  });

  it("without occurred_at, the time of receipt", () => {
    expect(parseSubmission({ submission_id: "pt" }, received)).toEqual({
      ok: true,
      submission: { submission_id: "pt", occurred_at: "2026-11-20T10:00:00.000Z" },
    });
  });
});

describe("jsonNestingDepth", () => {
  it("counts objects and arrays, skips brackets inside strings and escaped quotes", () => {
    expect(jsonNestingDepth("{}")).toBe(1);
    expect(jsonNestingDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonNestingDepth('{"a":"[[[{{{"}')).toBe(1);
    expect(jsonNestingDepth('{"a":"say \\"[[[\\" twice","b":[]}')).toBe(2);
    expect(jsonNestingDepth("[{}, {}, [[]]]")).toBe(3);
    expect(jsonNestingDepth('"just a string"')).toBe(0);
    // Closing brackets and braces count down: siblings are not nested.
    expect(jsonNestingDepth("[][][]")).toBe(1);
    expect(jsonNestingDepth("[{},{},{}]")).toBe(2);
    // The deepest point, not the last opened.
    expect(jsonNestingDepth("[[[]],[]]")).toBe(3);
  });

  it("stops counting once above the limit: 32 levels are 32, 33 are reported as 33", () => {
    expect(jsonNestingDepth("[".repeat(32) + "]".repeat(32))).toBe(32);
    expect(jsonNestingDepth("[".repeat(40) + "]".repeat(40))).toBe(33);
    expect(jsonNestingDepth("[".repeat(5), 3)).toBe(4);
  });
});

describe("text Postgres cannot store", () => {
  it("lists at most 20 issues, field names and values alike, with their paths", () => {
    const fields: Record<string, string> = { submission_id: "pt-5" };
    for (let i = 0; i < 25; i++) fields[`f${i}`] = "a\u0000b";
    const parsed = parseSubmission(fields, received);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toHaveLength(20);
    expect(parsed.issues[0]).toEqual({
      path: "f0",
      message: "the value contains a NUL character (U+0000), which cannot be stored",
    });
    expect(parsed.issues[19].path).toBe("f19");

    const named = parseSubmission({ submission_id: "pt-6", ["x\ud83d"]: "ok", nested: { deep: ["\udc00"] } }, received);
    expect(named).toEqual({
      ok: false,
      issues: [
        {
          path: "x\ufffd",
          message:
            "the field name is not valid Unicode: it contains a lone surrogate (half of a UTF-16 pair, e.g. an emoji cut in half)",
        },
        {
          path: "nested.deep.0",
          message:
            "the value is not valid Unicode: it contains a lone surrogate (half of a UTF-16 pair, e.g. an emoji cut in half)",
        },
      ],
    });
    expect(storableText("a\u0000b\ud83d\ud83d\ude00")).toBe("a\ufffdb\ufffd\ud83d\ude00");
  });
});

describe("fields the schema reads", () => {
  it("trims text, refuses text over its limit, and reports a null field without failing", () => {
    expect(parseSubmission({ submission_id: "  pt-7  ", utm_source: " kenesary " }, received)).toEqual({
      ok: true,
      submission: { submission_id: "pt-7", utm_source: "kenesary", occurred_at: "2026-11-20T10:00:00.000Z" },
    });
    expect(parseSubmission({ submission_id: "pt-8", utm_source: "x".repeat(500) }, received).ok).toBe(true);
    expect(parseSubmission({ submission_id: "pt-8", utm_source: "x".repeat(501) }, received)).toEqual({
      ok: false,
      issues: [{ path: "utm_source", message: "Too big: expected string to have <=500 characters" }],
    });
    expect(parseSubmission({ submission_id: "pt-9", utm_source: null, n: 5 }, received)).toEqual({
      ok: false,
      issues: [{ path: "utm_source", message: "Invalid input: expected string, received null" }],
    });
  });

  it("lists at most 20 field names that cannot be stored", () => {
    const fields: Record<string, string> = { submission_id: "pt-10" };
    for (let i = 0; i < 25; i++) fields[`f${i}\u0000`] = "fine";
    const parsed = parseSubmission(fields, received);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toHaveLength(20);
    expect(parsed.issues[19]).toEqual({
      path: "f19\ufffd",
      message: "the field name contains a NUL character (U+0000), which cannot be stored",
    });
  });
});

describe("lead-capture's settings", () => {
  it("reads the secret and the body timeout, with the defaults when unset", () => {
    expect(readLeadCaptureConfig({ LEAD_CAPTURE_SECRET: "s3cret", LEAD_CAPTURE_BODY_TIMEOUT_MS: "2500" })).toEqual({
      secret: "s3cret",
      bodyTimeoutMs: 2500,
    });
    expect(readLeadCaptureConfig({})).toEqual({ secret: null, bodyTimeoutMs: 10_000 });
    expect(() => readLeadCaptureConfig({ LEAD_CAPTURE_BODY_TIMEOUT_MS: "600001" })).toThrow(
      /LEAD_CAPTURE_BODY_TIMEOUT_MS must be a whole number between 1 and 600000/,
    );
  });
});
