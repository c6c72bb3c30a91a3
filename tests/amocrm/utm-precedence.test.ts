// Where a deal's UTM tags come from when several fields carry them: amoCRM's tracking fields
// first, then the account's own mapped fields (lowest priority number first), then a mapped URL
// field's query string — per tag.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`
    insert into voronka.amocrm_field_mapping (target, field_name, priority) values
      ('utm_source', 'Источник', 20), ('utm_source', 'Канал', 10), ('utm_campaign', 'Кампания', 100)`;
  await db.sql`insert into voronka.amocrm_field_mapping (target, field_id) values ('url', 700001)`;
});
afterAll(() => db.drop());

const field = (id: number, name: string, value: string, code?: string) => ({
  id: String(id),
  name,
  code,
  values: [value],
});

async function utms(fields: unknown[]) {
  const [row] = await db.sql`select * from voronka.amocrm_utm_from_fields(${db.sql.json(fields as never)})`;
  return row;
}

describe("UTM precedence", () => {
  it("a tracking field beats a mapped own field, which beats the URL", async () => {
    expect(
      await utms([
        field(700001, "Ссылка", "https://school.kz/?utm_source=url_src&utm_campaign=url_camp&utm_term=url_term"),
        field(600001, "Источник", "own_src"),
        field(900001, "utm_source", "tracking_src", "UTM_SOURCE"),
        field(600003, "Кампания", "own_camp"),
      ]),
    ).toEqual({
      utm_source: "tracking_src",
      utm_medium: null,
      utm_campaign: "own_camp",
      utm_content: null,
      utm_term: "url_term",
    });
  });

  it("among mapped fields for one tag, the lowest priority number with a value wins", async () => {
    const both = await utms([field(600001, "Источник", "istochnik"), field(600002, "Канал", "kanal")]);
    expect(both.utm_source).toBe("kanal");
    const onlyLower = await utms([field(600001, "Источник", "istochnik"), field(600002, "Канал", " ")]);
    expect(onlyLower.utm_source).toBe("istochnik");
  });
});
