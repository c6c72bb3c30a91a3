// The insights page scan (the sync counts a page's rows and reads its paging without parsing the
// rows): for every JSON page it must agree with JSON.parse, and anything it does not recognise
// (an error body, no data array, not JSON) is null, so the client falls back to JSON.parse.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanGraphPage } from "../../supabase/functions/_shared/facebook/page-scan.ts";

// Strings with everything that could confuse a scan: quotes, backslashes, brackets, commas.
const tricky = fc.string({ unit: fc.constantFrom("a", "Я", '"', "\\", "[", "]", "{", "}", ",", ":", " ", "\n", "😀") });
const row = fc.dictionary(
  fc.oneof(tricky, fc.constantFrom("ad_id", "spend", "data", "paging", "error")),
  fc.oneof(
    tricky,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(tricky, fc.integer()), { maxLength: 3 }),
    fc.dictionary(tricky, tricky, { maxKeys: 2 }),
  ),
  { maxKeys: 5 },
);
const paging = fc.record(
  { cursors: fc.record({ before: tricky, after: tricky }), next: fc.webUrl() },
  { requiredKeys: ["cursors"] },
);

describe("scanGraphPage", () => {
  it("counts rows and reads paging exactly as JSON.parse does, whatever the strings hold", () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 8 }),
        fc.option(paging, { nil: undefined }),
        fc.boolean(),
        fc.constantFrom(0, 2),
        (data, pagingValue, pagingFirst, indent) => {
          const page = pagingFirst ? { paging: pagingValue, data } : { data, paging: pagingValue };
          const text = JSON.stringify(page, null, indent);
          const parsed = JSON.parse(text);
          expect(scanGraphPage(text)).toEqual(
            parsed.paging === undefined
              ? { rows: parsed.data.length }
              : { rows: parsed.data.length, paging: parsed.paging },
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is null for what it does not recognise, so the body is parsed the ordinary way", () => {
    for (const text of [
      '{"error":{"message":"x","code":190}}',
      '{"data":[],"error":{"message":"x"}}',
      '{"data":{}}',
      '{"paging":{}}',
      "{}",
      "[]",
      '{"data":[1,2]',
      '{"data":[1,2]} trailing',
      '{"data":["unterminated]}',
      '{"data":[],"paging":null}',
      "<html>Bad gateway</html>",
      "",
    ]) {
      expect(scanGraphPage(text), text).toBeNull();
    }
  });

  it("reads the last of repeated members, as JSON.parse does", () => {
    expect(scanGraphPage('{"data":[1],"data":[1,2,3]}')).toEqual({ rows: 3 });
    expect(scanGraphPage(' { "data" : [ ] , "paging" : { "next" : "u" } } ')).toEqual({
      rows: 0,
      paging: { next: "u" },
    });
  });
});
