// The receiver under random form bodies (random brackets, %00, lone surrogate bytes, huge
// indices, deep nesting): never a 500, and every authenticated body is stored.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { ACCOUNT, configure, handlerFor, PIPELINE, post } from "./support.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
});
afterAll(() => db.drop());

const segment = fc.oneof(
  fc.constantFrom("leads", "status", "add", "update", "delete", "custom_fields", "values", "value", "id", "account"),
  fc.constantFrom("status_id", "pipeline_id", "price", "last_modified", "account_id", "subdomain", "__proto__"),
  fc.constantFrom("0", "1", "21", "", "999999999", "1000000000", "99999999999999999999", "-1", "01"),
  fc.constantFrom("%00", "%ED%A0%BD", "%F0%9F", "%5B", "%5D", "[", "]", "%", "+", "😀"),
  fc.string({ maxLength: 6 }),
);
const value = fc.oneof(
  fc.constantFrom("142", String(PIPELINE.express), "1764000000", "5000", "", "%00", "%ED%A0%BD", "x%00y", "-1"),
  fc.constantFrom("99999999999999999999", "1e400", "NaN", "2024-02-30", "%FF%FE", "a=b", "&", "%2"),
  fc.string({ unit: "binary", maxLength: 8 }).map(encodeURIComponent),
  fc.string({ maxLength: 8 }),
);
// Brackets as amoCRM writes them, unbalanced, or nested thousands of levels.
const key = fc.oneof(
  fc
    .tuple(segment, fc.array(segment, { maxLength: 10 }))
    .map(([head, rest]) => head + rest.map((s) => `[${s}]`).join("")),
  fc.array(fc.oneof(segment, fc.constantFrom("[", "]", "[]", "][")), { maxLength: 12 }).map((parts) => parts.join("")),
  fc
    .tuple(segment, fc.integer({ min: 1, max: 8_000 }), fc.constantFrom("[a]", "[]", "[0]", "[%5B]"))
    .map(([head, depth, unit]) => `leads[status]${unit.repeat(depth)}${head === "" ? "" : `[${head}]`}`),
);
const pair = fc.tuple(key, value).map(([k, v]) => `${k}=${v}`);
const accountPart = fc.constantFrom("", `&account[subdomain]=${ACCOUNT.subdomain}&account[id]=${ACCOUNT.id}`);
const bodies = fc.oneof(
  fc.tuple(fc.array(pair, { maxLength: 25 }), accountPart).map(([pairs, account]) => pairs.join("&") + account),
  fc
    .array(fc.constantFrom("leads[status][0][id]=", "1", "&", "=", "[", "]", "%00", "%ED%A0%BD", "%", "+"), {
      maxLength: 40,
    })
    .map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 200 }),
);

it("fuzz: 1,200 random form bodies never get a 500, and every authenticated one is stored", async () => {
  const handler = handlerFor(db.sql);
  const stored = new Set<string>();
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      const response = await handler(post(body));
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const answer = await response.json();
      expect([200, 401]).toContain(response.status);
      if (response.status === 401) {
        // Only a body naming another account (or naming it in a shape other than a plain value).
        expect(answer.error.code).toBe("wrong_account");
        return;
      }
      expect(answer).toMatchObject({ ok: true, stored: true });
      // Identical bytes are one event (counted in `deliveries`); what is stored is the decoded text.
      stored.add(new TextDecoder().decode(new TextEncoder().encode(body)).replaceAll("\u0000", "\uFFFD"));
      const [row] = await db.sql`select body from inbox.amocrm_webhook_event where id = ${answer.event_id}`;
      expect(row.body).toBe(new TextDecoder().decode(new TextEncoder().encode(body)).replaceAll("\u0000", "\uFFFD"));
    }),
    { numRuns: 1_200, seed: 20261127 },
  );
  const [{ n }] = await db.sql`select count(*)::int as n from inbox.amocrm_webhook_event`;
  expect(n).toBe(stored.size);
  expect(statuses.get(200)).toBeGreaterThan(600);
}, 180_000);
