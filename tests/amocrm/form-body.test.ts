// The bracket walker against the real samples and beyond the limits of common parsers (qs:
// arrays above index 20, depth 5, 1,000 parameters).
import { describe, expect, it } from "vitest";
import { FormBodyError, keySegments, parseFormBody } from "../../supabase/functions/_shared/amocrm/form-body.ts";
import { MINIMAL_2023, STAGE_CHANGE_2016, WON_2018 } from "./samples.ts";
import { webhookBody } from "./support.ts";

describe("keySegments", () => {
  it("splits PHP bracket keys and keeps malformed tails as names", () => {
    expect(keySegments("leads[status][0][custom_fields][0][values][0][value]")).toEqual([
      "leads",
      "status",
      "0",
      "custom_fields",
      "0",
      "values",
      "0",
      "value",
    ]);
    expect(keySegments("plain")).toEqual(["plain"]);
    expect(keySegments("a[b")).toEqual(["a[b"]);
    expect(keySegments("a[b]x")).toEqual(["a", "bx"]);
    expect(keySegments("[x]")).toEqual(["[x]"]);
  });
});

describe("parseFormBody", () => {
  it("parses the real won sample: Cyrillic, + as space, select and date fields", () => {
    const body = parseFormBody(WON_2018) as any;
    const lead = body.leads.status[0];
    expect(lead.id).toBe("10701093");
    expect(lead.name).toBe("Семинар: Пропитание в фитнесе на результат");
    expect(lead.status_id).toBe("142");
    expect(lead.price).toBe("22500");
    expect(lead.tags).toEqual([{ id: "80147", name: "повторное обращение" }]);
    expect(lead.custom_fields).toHaveLength(4);
    expect(lead.custom_fields[0]).toEqual({
      id: "66339",
      name: "Источник",
      values: [{ value: "Сайт", enum: "139517" }],
    });
    // A date field: values[0] is the bare unix time, no [value] key.
    expect(lead.custom_fields[2].values).toEqual(["1542067200"]);
    expect(body.account).toEqual({ subdomain: "apfitness" });
  });

  it("decodes percent-encoded brackets (the 2016 and 2023 samples)", () => {
    const stage = parseFormBody(STAGE_CHANGE_2016) as any;
    expect(stage.leads.status[0].old_status_id).toBe("10216995");
    expect(stage.leads.status[0].custom_fields[0].values[0].value).toBe("some text");
    expect(parseFormBody(MINIMAL_2023)).toEqual({
      leads: {
        status: [
          {
            id: "10754147",
            status_id: "54423922",
            pipeline_id: "6344290",
            old_status_id: "54435014",
            old_pipeline_id: "6344290",
          },
        ],
      },
      account: { id: "30307558", subdomain: "anyor" },
    });
  });

  it("keeps 100 deals x 30 custom fields: indices above 20, depth 8, 12,000+ parameters", () => {
    const leads = Array.from({ length: 100 }, (_, i) => ({
      id: 1000 + i,
      status_id: 142,
      price: 5000 + i,
      custom_fields: Array.from({ length: 30 }, (_, f) => ({
        id: 500 + f,
        name: `Поле [${f}] & co`,
        values: [{ value: `v${i}-${f}`, enum: String(f) }],
      })),
    }));
    const raw = webhookBody([{ action: "status", leads }]);
    expect([...new URLSearchParams(raw)].length).toBeGreaterThan(12_000);
    const parsed = parseFormBody(raw) as any;
    expect(parsed.leads.status).toHaveLength(100);
    expect(parsed.leads.status[99].id).toBe("1099");
    expect(parsed.leads.status[57].custom_fields).toHaveLength(30);
    expect(parsed.leads.status[57].custom_fields[29]).toEqual({
      id: "529",
      name: "Поле [29] & co",
      values: [{ value: "v57-29", enum: "29" }],
    });
  });

  it("orders indices numerically whatever the key order, and treats __proto__ as data", () => {
    const parsed = parseFormBody("a[10]=k&a[2]=c&a[0]=x&__proto__[polluted]=1&b[]=p&b[]=q") as any;
    expect(parsed.a).toEqual(["x", "c", "k"]);
    expect(parsed.b).toEqual(["p", "q"]);
    expect(({} as any).polluted).toBeUndefined();
    expect(parsed.__proto__.polluted).toBe("1");
  });

  it("rejects bodies that cannot be a PHP form: NUL bytes, a value and a map under one key", () => {
    expect(() => parseFormBody("a=1%00")).toThrow(FormBodyError);
    expect(() => parseFormBody("a=1&a[b]=2")).toThrow(FormBodyError);
    expect(() => parseFormBody("a[b]=2&a=1")).toThrow(FormBodyError);
  });

  it("refuses keys nested deeper than 64 levels (PHP's limit), quoting the key cut short", () => {
    expect(parseFormBody(`a${"[b]".repeat(63)}=1`)).toBeTruthy();
    for (const depth of [64, 5_000, 8_000]) {
      const key = `leads${"[a]".repeat(depth)}`;
      let error: unknown;
      try {
        parseFormBody(`${key}=1`);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FormBodyError);
      expect((error as Error).message).toMatch(/nested more than 64 levels deep/);
      expect((error as Error).message.length).toBeLessThan(300);
    }
  });

  it("appends 200,000 `a[]=` values in linear time", () => {
    const started = Date.now();
    const parsed = parseFormBody(Array.from({ length: 200_000 }, (_, i) => `a[]=${i}`).join("&"));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((parsed.a as string[]).length).toBe(200_000);
    expect((parsed.a as string[])[199_999]).toBe("199999");
  });
});

describe("the walker's edges", () => {
  const message = (body: string) => {
    try {
      parseFormBody(body);
    } catch (e) {
      return (e as Error).message;
    }
    return null;
  };

  it("stops splitting a key past maxSegments, and a stray ] after a segment is part of its name", () => {
    expect(keySegments("a[b][c][d][e]", 2)).toEqual(["a", "b", "c"]);
    expect(keySegments("a[b]x]")).toEqual(["a", "bx]"]);
    expect(keySegments("a[b]x[c]")).toEqual(["a", "bx[c]"]);
  });

  it("quotes a key whole up to 100 characters, and cut short with … beyond", () => {
    expect(message("a=1&a[b]=2")).toBe('parameter "a[b]" nests under a plain value');
    const key100 = `a[${"b".repeat(97)}]`; // 100 characters
    expect(message(`a=1&${key100}=2`)).toBe(`parameter "${key100}" nests under a plain value`);
    const key101 = `a[${"b".repeat(98)}]`;
    expect(message(`a=1&${key101}=2`)).toBe(`parameter "${key101.slice(0, 100)}…" nests under a plain value`);
    expect(message("a[b]=2&a=1")).toBe('parameter "a" would replace nested values');
  });

  it("names a raw NUL byte in the body as such", () => {
    expect(message("a=1\u0000")).toBe("the body contains NUL bytes");
  });

  it("skips parameters without a name", () => {
    expect(parseFormBody("=x&a=1&=y")).toEqual({ a: "1" });
  });

  it("appends with [] at every depth, each at the next index of its own list", () => {
    expect(parseFormBody("a[][x]=1&a[][x]=2&a[]=3")).toEqual({ a: [{ x: "1" }, { x: "2" }, "3"] });
    expect(parseFormBody("b[k][]=1&b[k][]=2&b[j][]=3")).toEqual({ b: { k: ["1", "2"], j: ["3"] } });
  });

  it("keeps an object with any key that is not an index as an object", () => {
    expect(parseFormBody("a[0]=p&a[x]=q")).toEqual({ a: { "0": "p", x: "q" } });
    expect(parseFormBody("a[00]=p&a[1]=q")).toEqual({ a: { "00": "p", "1": "q" } });
  });
});
