// Helpers of the amoCRM tests: webhook bodies built the way amoCRM builds them (PHP bracket
// keys, every value a string), a small hand-made configuration, and the in-process handler.
import { readAmocrmConfig, type AmocrmConfig } from "../../supabase/functions/_shared/amocrm/config.ts";
import {
  createAmocrmWebhookHandler,
  type AmocrmWebhookDeps,
} from "../../supabase/functions/_shared/amocrm/webhook-handler.ts";
import type { AmocrmApiLead, AmocrmClient } from "../../supabase/functions/_shared/amocrm/api-client.ts";
import type { Sql } from "../support/test-database.ts";

export const SECRET = "s3cret-Webhook-Value-0123456789abcdef";
export const ACCOUNT = { subdomain: "voronka-test", id: "32000001" };

/** Pipelines of this test configuration (not the demo seed's). */
export const PIPELINE = { leads: 7100001, express: 7100002, flagman: 7100003, other: 7100009 } as const;

export function testConfig(overrides: Record<string, string> = {}): AmocrmConfig {
  return readAmocrmConfig({
    AMOCRM_WEBHOOK_SECRET: SECRET,
    AMOCRM_SUBDOMAIN: ACCOUNT.subdomain,
    AMOCRM_ACCOUNT_ID: ACCOUNT.id,
    ...overrides,
  });
}

/** Teams, UTM rules, product rules and the lead pipeline every amoCRM test file starts with. */
export async function configure(sql: Sql): Promise<void> {
  await sql`insert into voronka.team (id, name) values ('kenesary', 'Kenesary'), ('traf4', 'Traf 4')`;
  await sql`insert into voronka.team_utm_rule (team_id, utm_source, utm_campaign_pattern)
            values ('kenesary', 'facebook', 'kenesary_%'), ('traf4', 'instagram', null)`;
  await sql`insert into voronka.product_rule (product_id, amocrm_pipeline_id)
            values ('express', ${PIPELINE.express}), ('flagman', ${PIPELINE.flagman})`;
  await sql`insert into voronka.amocrm_lead_pipeline (pipeline_id, name) values (${PIPELINE.leads}, 'ProfTest')`;
}

export interface CustomField {
  id: number;
  name: string;
  code?: string;
  values: (string | { value: string; enum?: string })[];
}

export interface WebhookLead {
  id: number;
  name?: string;
  status_id?: number;
  old_status_id?: number;
  pipeline_id?: number;
  old_pipeline_id?: number;
  price?: number | string;
  last_modified?: number;
  updated_at?: number;
  date_create?: number;
  created_at?: number;
  account_id?: string;
  custom_fields?: CustomField[];
}

type Nested = string | number | Nested[] | { [key: string]: Nested | undefined };

function pairs(prefix: string, value: Nested | undefined, out: [string, string][]): void {
  if (value === undefined) return;
  if (typeof value === "string" || typeof value === "number") {
    out.push([prefix, String(value)]);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => pairs(`${prefix}[${i}]`, v, out));
  } else {
    for (const [k, v] of Object.entries(value)) pairs(prefix ? `${prefix}[${k}]` : k, v, out);
  }
}

/** A webhook body: `leads[<action>][i][...]` for each group, then `account[...]`. */
export function webhookBody(
  groups: { action: string; leads: WebhookLead[]; entity?: string }[],
  account: { subdomain?: string; id?: string } | null = ACCOUNT,
): string {
  const out: [string, string][] = [];
  for (const group of groups) {
    pairs(`${group.entity ?? "leads"}[${group.action}]`, group.leads as unknown as Nested, out);
  }
  if (account) pairs("account", account as Nested, out);
  return new URLSearchParams(out).toString();
}

/** One deal's change, as the lifecycle tests describe it. */
export interface DealEvent {
  action: string;
  id: number;
  status: number;
  pipeline: number;
  /** amoCRM's modification time (unix seconds); null: a body without one (a delete as amoCRM sends it). */
  at: number | null;
  /** Unix seconds of the deal's creation (bodies with a time). */
  createdAt?: number;
  name?: string;
  price?: number | null;
  /** The status before a `status` change (old_status_id). */
  previousStatus?: number;
  /** UTMs in amoCRM's own tracking fields (codes UTM_SOURCE, UTM_CAMPAIGN). */
  utm?: { source: string; campaign?: string } | null;
}

/**
 * The body of one deal event. Without a time, only what amoCRM sends then: id, status and
 * pipeline (no name, price or fields).
 */
export function dealEventBody(event: DealEvent): string {
  if (event.at === null) {
    const lead = { id: event.id, status_id: event.status, pipeline_id: event.pipeline };
    return webhookBody([{ action: event.action, leads: [lead] }]);
  }
  const utmFields = (utm: { source: string; campaign?: string }): CustomField[] => [
    { id: 900001, name: "utm_source", code: "UTM_SOURCE", values: [{ value: utm.source }] },
    ...(utm.campaign
      ? [{ id: 900003, name: "utm_campaign", code: "UTM_CAMPAIGN", values: [{ value: utm.campaign }] }]
      : []),
  ];
  const lead: WebhookLead = {
    id: event.id,
    ...(event.name === undefined ? {} : { name: event.name }),
    status_id: event.status,
    pipeline_id: event.pipeline,
    last_modified: event.at,
    date_create: event.createdAt,
    ...(event.price === null || event.price === undefined ? {} : { price: event.price }),
    ...(event.previousStatus === undefined ? {} : { old_status_id: event.previousStatus }),
    ...(event.utm ? { custom_fields: utmFields(event.utm) } : {}),
  };
  return webhookBody([{ action: event.action, leads: [lead] }]);
}

/** A deal won (142) in the Express pipeline at 5,000, moved from status 1, at amoCRM time `at`. */
export function wonBody(id: number, at = 1764000000): string {
  return dealEventBody({
    action: "status",
    id,
    status: 142,
    previousStatus: 1,
    pipeline: PIPELINE.express,
    price: 5000,
    at,
  });
}

/** A delete as amoCRM sends it: id, status and pipeline, no time. */
export function deleteBody(id: number, status: number, pipeline: number): string {
  return dealEventBody({ action: "delete", id, status, pipeline, at: null });
}

export function post(
  body: string,
  options: { secret?: string; contentType?: string; headers?: Record<string, string>; url?: string } = {},
): Request {
  const base = options.url ?? "http://localhost/functions/v1/amocrm-webhook";
  return new Request(`${base}?secret=${encodeURIComponent(options.secret ?? SECRET)}`, {
    method: "POST",
    headers: { "content-type": options.contentType ?? "application/x-www-form-urlencoded", ...options.headers },
    body,
  });
}

/**
 * The in-process receiver. Its request deadline is generous here: these tests are about what is
 * stored, on a machine that may be busy; tests/ingestion-deadline.test.ts tests the real default.
 */
export function handlerFor(sql: Sql, deps: Partial<AmocrmWebhookDeps> = {}) {
  return createAmocrmWebhookHandler({ sql, config: testConfig(), log: () => {}, deadlineMs: 60_000, ...deps });
}

/** Unix seconds of an ISO instant. */
export function unix(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

export async function saleOf(sql: Sql, dealId: number) {
  const [row] = await sql`
    select product_id, amount::text, currency, won_at, voided_at, void_reason from voronka.sale where deal_id = ${dealId}`;
  return row ?? null;
}

export async function dealOf(sql: Sql, dealId: number) {
  const [row] = await sql`
    select status_id::int, pipeline_id::int, price::text, is_deleted, won_at, team_id, utm_source, utm_medium,
           utm_campaign, utm_content, utm_term, needs_enrichment
    from voronka.amocrm_deal where id = ${dealId}`;
  return row ?? null;
}

/**
 * An amoCRM API client (the API is a service this machine cannot reach) that answers every read
 * from `leads` by id, and 204 (no such deal: deleted) for the rest.
 */
export function amocrmWithout(leads: AmocrmApiLead[] = []): AmocrmClient {
  return {
    async getLead(id) {
      const lead = leads.find((l) => l.id === id);
      return lead ? { lead, readAt: new Date() } : null;
    },
    async *leadsUpdatedSince() {},
  };
}
