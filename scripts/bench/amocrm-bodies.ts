// Webhook bodies of the amoCRM benchmarks: realistic status webhooks (deals moving stages, ten
// custom fields each, UTMs among them), every body distinct. One deal per body under sustained
// load; hundreds for a bulk change.
export const BENCH_ACCOUNT = { subdomain: "voronka-demo", id: "31000001" };
export const BENCH_PIPELINES = { leads: 7000001, express: 7000002, flagman: 7000003 };

let sequence = 0;

/** A form-encoded body of `deals` status changes (deal ids cycle over 5,000). */
export function nextBody(deals = 1): string {
  const params = new URLSearchParams();
  for (let k = 0; k < deals; k++) appendDeal(params, k, sequence++);
  params.append("account[subdomain]", BENCH_ACCOUNT.subdomain);
  params.append("account[id]", BENCH_ACCOUNT.id);
  return params.toString();
}

function appendDeal(params: URLSearchParams, index: number, n: number): void {
  const id = 30_000_000 + (n % 5000);
  const pipeline = n % 3 === 0 ? BENCH_PIPELINES.flagman : BENCH_PIPELINES.express;
  const status = n % 4 === 0 ? 143 : 142;
  const p = `leads[status][${index}]`;
  const scalars: Record<string, string> = {
    id: String(id),
    name: `Сделка №${id}: Экспресс-курс`,
    status_id: String(status),
    old_status_id: "55500001",
    price: pipeline === BENCH_PIPELINES.flagman ? "490000" : "5000",
    responsible_user_id: "8000001",
    last_modified: String(1_764_000_000 + n),
    modified_user_id: "8000001",
    created_user_id: "8000001",
    date_create: "1763990000",
    pipeline_id: String(pipeline),
    account_id: BENCH_ACCOUNT.id,
  };
  for (const [key, value] of Object.entries(scalars)) params.append(`${p}[${key}]`, value);
  const fields: [string, string, string][] = [
    ["900001", "utm_source", n % 2 ? "facebook" : "instagram"],
    ["900002", "utm_medium", "cpc"],
    ["900003", "utm_campaign", `kenesary_${n % 7}`],
    ["900004", "utm_content", `ad_${n % 11}`],
    ["66339", "Источник", "Сайт"],
    ["66349", "Интересующая услуга", "Интегратор"],
    ["72333", "Дата проведения", "1764028800"],
    ["497267", "Заявка оплачена", "1"],
    ["500001", "Телефон", "+7 701 000 00 00"],
    ["500002", "Город", "Алматы"],
  ];
  fields.forEach(([fid, name, value], i) => {
    const f = `${p}[custom_fields][${i}]`;
    params.append(`${f}[id]`, fid);
    params.append(`${f}[name]`, name);
    if (fid.startsWith("9")) params.append(`${f}[code]`, name.toUpperCase());
    if (fid === "72333") params.append(`${f}[values][0]`, value);
    else params.append(`${f}[values][0][value]`, value);
  });
}

/** The configuration the bodies assume: two teams with UTM rules, two product pipelines, a lead pipeline. */
export async function configureBench(sql: import("postgres").Sql): Promise<void> {
  await sql`insert into voronka.team (id, name) values ('kenesary', 'Kenesary'), ('traf4', 'Traf4')`;
  await sql`insert into voronka.team_utm_rule (team_id, utm_source, utm_campaign_pattern) values ('kenesary', 'facebook', 'kenesary_%'), ('traf4', 'instagram', null)`;
  await sql`insert into voronka.product_rule (product_id, amocrm_pipeline_id) values ('express', ${BENCH_PIPELINES.express}), ('flagman', ${BENCH_PIPELINES.flagman})`;
  await sql`insert into voronka.amocrm_lead_pipeline (pipeline_id) values (${BENCH_PIPELINES.leads})`;
}
