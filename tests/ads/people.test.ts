// People across sources, and the two attribution models: hand-made cases through the real
// ingestion functions (ProfTest recording, amoCRM contact webhooks, amoCRM API reads).
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, funnelReport, refresh, stage } from "../funnel/fixtures.ts";
import { addAdInsight, adReport } from "./fixtures.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const normalized = async (phone: string) => {
  const [row] = await db.sql`select voronka.normalize_phone(${phone}) as p`;
  return row.p as string | null;
};

describe("phone and email normalisation", () => {
  it("writes every Kazakh form of one number as the same E.164 number", async () => {
    for (const phone of [
      "8 701 123 45 67",
      "87011234567",
      "+7 (701) 123-45-67",
      "+77011234567",
      "7 701 123 4567",
      "77011234567",
      "701 123 45 67",
      "(701)123-45-67",
      " 8-701-123-45-67 ",
    ]) {
      expect({ phone, e164: await normalized(phone) }).toEqual({ phone, e164: "+77011234567" });
    }
    expect(await normalized("8 (727) 250-00-00")).toBe("+77272500000"); // an Almaty landline
  });

  it("never makes a different or partial number match", async () => {
    for (const [phone, expected] of [
      ["8 701 123 45 6", null], // a digit short
      ["8 701 123 45 678", null], // a digit too many
      ["+1 701 123 4567", "+17011234567"], // a US number is not the Kazakh one
      ["+44 20 7946 0958", "+442079460958"],
      ["8 901 123 45 67", null], // 8 9xx: not a Kazakh mobile, ambiguous without a + code
      ["701 123 45 67 доб. 5", null], // letters: not a phone number
      ["12345", null],
      ["", null],
    ] as const) {
      expect({ phone, e164: await normalized(phone) }).toEqual({ phone, e164: expected });
    }
    const [emails] = await db.sql`
      select voronka.normalize_email('  Aida.K@Example.KZ ') as a, voronka.normalize_email('aida.k@example') as b,
             voronka.normalize_email('not an email') as c`;
    expect(emails).toEqual({ a: "aida.k@example.kz", b: null, c: null });
  });
});

// As the lead-capture receiver does it: the raw request first, then the lead (the rotation test
// recomputes the hashes from these raw bodies).
async function proftest(id: string, at: string, fields: Record<string, string>) {
  const submission = { submission_id: id, occurred_at: at, ...fields };
  const [event] = await db.sql`
    insert into inbox.lead_capture_event (content_type, body) values ('application/json', ${JSON.stringify(submission)})
    returning id`;
  await db.sql`select * from voronka.record_proftest_lead(${event.id}, ${db.sql.json(submission)})`;
}

const personOfLead = async (externalId: string) => {
  const [row] = await db.sql`select person_id from voronka.lead where external_id = ${externalId}`;
  return row.person_id as string | null;
};

describe("people", () => {
  it("links ProfTest submissions by phone in any format or by email, and keeps only hashes", async () => {
    await proftest("pt-a1", "2024-03-01T10:00:00+06:00", { phone: "8 701 555 00 11", email: "Aida@Mail.kz" });
    await proftest("pt-a2", "2024-03-05T10:00:00+06:00", { phone: "+7 (701) 555-00-11" });
    await proftest("pt-a3", "2024-03-06T10:00:00+06:00", { email: " aida@mail.KZ" });
    await proftest("pt-b1", "2024-03-06T11:00:00+06:00", { phone: "8 701 555 00 12" }); // one digit apart
    await proftest("pt-c1", "2024-03-06T12:00:00+06:00", {}); // nothing to link by: a person of its own
    const a = await personOfLead("pt-a1");
    expect(a).not.toBeNull();
    expect(await personOfLead("pt-a2")).toBe(a);
    expect(await personOfLead("pt-a3")).toBe(a);
    expect(await personOfLead("pt-b1")).not.toBe(a);
    expect(await personOfLead("pt-c1")).not.toBe(a);
    expect(await personOfLead("pt-c1")).not.toBeNull();
    const [person] = await db.sql`
      select p.first_lead_at, l.external_id from voronka.person as p join voronka.lead as l on l.id = p.first_lead_id
      where p.id = ${a!}`;
    expect(person.external_id).toBe("pt-a1");
    // voronka.* holds hashes, never the number or the address.
    const identities =
      await db.sql`select kind, value from voronka.person_identity where person_id = ${a!} order by kind`;
    expect(identities.map((i) => i.kind)).toEqual(["email", "phone"]);
    for (const { value } of identities) expect(value).toMatch(/^[0-9a-f]{64}$/);
    const [{ leaks }] = await db.sql`
      select count(*)::int as leaks from voronka.person_identity as pi
      where pi.value like '%7015550011%' or pi.value like '%mail.kz%'`;
    expect(leaks).toBe(0);
  });

  it("merges two people when an amoCRM contact carries both one's phone and the other's email", async () => {
    await proftest("pt-d1", "2024-04-01T10:00:00+05:00", { phone: "87017770001" });
    await proftest("pt-d2", "2024-04-02T10:00:00+05:00", { email: "dana@example.kz" });
    expect(await personOfLead("pt-d1")).not.toBe(await personOfLead("pt-d2"));
    await receiveContact({ id: "880001", phone: "+7 701 777 0001", email: "DANA@example.kz", deals: [] });
    expect(await personOfLead("pt-d1")).toBe(await personOfLead("pt-d2"));
  });

  it("rotates the hash key without losing a person: new arrivals still find them", async () => {
    const before = await personOfLead("pt-a1");
    const [{ r }] = await db.sql`select voronka.rotate_identity_key() as r`;
    expect(r.hashes_after).toBeGreaterThan(0);
    await proftest("pt-a4", "2024-03-07T10:00:00+06:00", { phone: "7015550011" });
    expect(await personOfLead("pt-a4")).toBe(before);
  });
});

// A contact webhook as the receiver hands it to SQL (the form body parsed to JSON).
async function receiveContact(c: { id: string; phone?: string; email?: string; deals: string[] }) {
  const fields = [];
  if (c.phone) fields.push({ id: "1", name: "Телефон", code: "PHONE", values: [{ value: c.phone, enum: "WORK" }] });
  if (c.email) fields.push({ id: "2", name: "Email", code: "EMAIL", values: [{ value: c.email, enum: "WORK" }] });
  const payload = {
    contacts: {
      update: [
        {
          id: c.id,
          name: "Contact " + c.id,
          custom_fields: fields,
          linked_leads_id: Object.fromEntries(c.deals.map((d) => [d, { ID: d }])),
        },
      ],
    },
    account: { id: "31000001", subdomain: "voronka-demo" },
  };
  const [{ result }] = await db.sql`
    select voronka.amocrm_receive_webhook(${"contact " + c.id + " " + Math.random()}, 'application/x-www-form-urlencoded',
                                          null, 'test', ${db.sql.json(payload)}, null) as result`;
  expect(result).toMatchObject({ status: "processed" });
}

describe("first touch and last touch", () => {
  // Zhanna took the ProfTest on 2024-03-10 through kenesary's ad 701 and bought the Flagman 70 days
  // later, on 2024-05-19, in a deal tagged by traf4's ad 703 (read from amoCRM's API with its contact).
  beforeAll(async () => {
    const sql = db.sql;
    await addTeams(sql, "kenesary", "traf4");
    await addAdAccount(sql, { id: "1001", currency: "KZT", team: "kenesary" });
    await addAdAccount(sql, { id: "1002", currency: "KZT", team: "traf4" });
    await addAdInsight(sql, {
      account: "1001",
      currency: "KZT",
      day: "2024-03-10",
      spend: "10000.00",
      campaign: ["501", "Ken"],
      adset: ["601", "Ken set"],
      ad: ["701", "Ken ad"],
    });
    await addAdInsight(sql, {
      account: "1002",
      currency: "KZT",
      day: "2024-05-19",
      spend: "20000.00",
      campaign: ["502", "Traf"],
      adset: ["602", "Traf set"],
      ad: ["703", "Traf ad"],
    });
    await sql`insert into voronka.product_rule (product_id, amocrm_pipeline_id) values ('flagman', 7000002)`;
    await proftest("pt-zh", "2024-03-10T15:00:00+05:00", {
      phone: "8 702 000 11 22",
      utm_source: "kenesary",
      utm_content: "701",
    });
    await receiveContact({ id: "990001", phone: "+7 (702) 000-11-22", deals: [] });
    const wonAt = Math.floor(Date.parse("2024-05-19T12:00:00+05:00") / 1000);
    await sql`select voronka.amocrm_apply_api_leads(${sql.json([
      {
        id: 55001,
        name: "Flagman — Zhanna",
        price: 490000,
        status_id: 142,
        pipeline_id: 7000002,
        created_at: wonAt - 86400,
        updated_at: wonAt,
        closed_at: wonAt,
        is_deleted: false,
        custom_fields_values: [
          { field_id: 1, field_name: "utm_source", field_code: "UTM_SOURCE", values: [{ value: "traf4" }] },
          { field_id: 2, field_name: "utm_content", field_code: "UTM_CONTENT", values: [{ value: "703" }] },
        ],
        _embedded: { tags: [], contacts: [{ id: 990001, is_main: true }] },
      },
    ])}, '2024-05-19T12:05:00+05:00')`;
  });

  it("links the deal to the ProfTest taker through its contact's phone", async () => {
    const [deal] = await db.sql`select person_id from voronka.amocrm_deal where id = 55001`;
    expect(deal.person_id).toBe(await personOfLead("pt-zh"));
  });

  it("credits the Flagman to traf4's ad by last touch and to kenesary's ad by first touch", async () => {
    for (const cached of [false, true]) {
      if (cached) await refresh(db.sql);
      const last = await adReport(db.sql, { until: "2024-05-31" });
      const first = await adReport(db.sql, { until: "2024-05-31", model: "first_touch" });
      const flagman = (r: typeof last) =>
        r.rows.filter((row) => row.flagman_purchases === 1).map((row) => [row.team, row.ad_id, row.flagman_revenue]);
      expect(flagman(last)).toEqual([["traf4", "703", 490000.0]]);
      expect(flagman(first)).toEqual([["kenesary", "701", 490000.0]]);
      expect(first.model).toBe("first_touch");
      // The same money either way: the totals agree, and last touch is funnel_report's.
      expect(first.totals.revenue).toBe(last.totals.revenue);
      const funnel = await funnelReport(db.sql, { until: "2024-05-31" });
      expect(last.totals.flagman_revenue).toBe(stage(funnel, "flagman").revenue);
      // Per team: traf4's report shows the sale by last touch; kenesary's by first touch, whose
      // spend of the window is 0 rows (its ad spent in March): ROI is not computed.
      const kenFirst = await adReport(db.sql, { team: "kenesary", until: "2024-05-31", model: "first_touch" });
      expect(kenFirst.totals).toMatchObject({ flagman_purchases: 1, revenue: 490000.0, spend: null, roi: null });
      const traf4Last = await adReport(db.sql, { team: "traf4", until: "2024-05-31" });
      expect(traf4Last.totals).toMatchObject({ flagman_purchases: 1, spend: 20000.0, roi: 23.5 }); // (490,000 − 20,000) / 20,000
    }
  });

  it("moves the sale at once when an earlier lead becomes the person's first touch", async () => {
    await refresh(db.sql);
    // An earlier submission of Zhanna's, through traf4's ad: now her first lead.
    await proftest("pt-zh0", "2024-03-01T09:00:00+06:00", {
      phone: "87020001122",
      utm_source: "traf4",
      utm_content: "703",
    });
    const first = await adReport(db.sql, { until: "2024-05-31", model: "first_touch" });
    expect(first.rows.filter((r) => r.flagman_purchases === 1).map((r) => [r.team, r.ad_id])).toEqual([
      ["traf4", "703"],
    ]);
  });
});

describe("the identity hash", () => {
  it("is HMAC-SHA-256 (RFC 2104) for keys shorter than, as long as and longer than the 64-byte block", async () => {
    const own = await createTestDatabase();
    try {
      for (const length of [32, 64, 65, 100]) {
        const key = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) % 256));
        await own.sql`select voronka.set_identity_key(${key})`;
        const [{ hash }] = await own.sql`select voronka.identity_hash('phone', '+77011234567') as hash`;
        const expected = createHmac("sha256", key).update("phone:+77011234567").digest("hex");
        expect({ length, hash }).toEqual({ length, hash: expected });
      }
    } finally {
      await own.drop();
    }
  });
});

describe("amoCRM contact webhooks, read in SQL", () => {
  it("lists a contact's linked deals from a map (ID, id or the key) or a list", async () => {
    const ids = async (contact: unknown) => {
      const [{ ids }] = await db.sql`select voronka.amocrm_contact_deal_ids(${db.sql.json(contact as any)}) as ids`;
      return (ids as string[]).map(Number).sort((a, b) => a - b);
    };
    expect(await ids({ linked_leads_id: { "11": { ID: "11" }, "12": { id: "12" }, "13": {} } })).toEqual([11, 12, 13]);
    expect(await ids({ linked_leads_id: ["14", 15] })).toEqual([14, 15]);
    expect(await ids({ id: "1" })).toEqual([]);
  });

  it("takes the contacts of add and update, objects only, companies left out", async () => {
    const payload = {
      contacts: {
        add: [{ id: "21" }, "not a contact", { id: "22", type: "company" }, { id: "23", type: "contact" }],
        update: [{ id: "24" }],
        delete: [{ id: "25" }],
      },
    };
    const rows =
      await db.sql`select c ->> 'id' as id from voronka.amocrm_webhook_contacts(${db.sql.json(payload)}) as c`;
    expect(rows.map((r) => r.id).sort()).toEqual(["21", "23", "24"]);
  });
});

describe("voronka.lead_capture_fields (the raw ProfTest body, read again in SQL)", () => {
  it("reads JSON objects and form bodies, the first of a repeated key, and {} for nothing readable", async () => {
    const fields = async (contentType: string | null, body: string) => {
      const [{ f }] = await db.sql`select voronka.lead_capture_fields(${contentType}, ${body}) as f`;
      return f;
    };
    expect(await fields("application/json; charset=utf-8", '{"phone": "+77011234567"}')).toEqual({
      phone: "+77011234567",
    });
    expect(await fields("application/json", "[1]")).toEqual({});
    expect(await fields("application/json", "{not json")).toEqual({});
    expect(await fields(null, "phone=%2B7701&email=a%40b.kz&phone=second")).toEqual({
      phone: "+7701",
      email: "a@b.kz",
    });
    expect(await fields("application/x-www-form-urlencoded", "")).toEqual({});
    expect(await fields("application/x-www-form-urlencoded", "&&")).toEqual({});
  });
});
