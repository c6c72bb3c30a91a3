// What `npm run mutate` mutates, and which tests must catch it.
//
// SQL: the files that compute or ingest the numbers, each with the test files that cover it
// (tests that start Deno or the whole stack on fixed ports are left out: they would only make a
// run slower and cannot run side by side). The files are those of supabase/schemas: one
// definition of each object, so every definition in them is live.
//
// Equivalent mutants: changes that cannot alter behaviour, with the reason. They are not run and
// do not count in the score. Survivors that are not equivalent are listed by the run, and the
// README's "Mutation testing" section says why each is not worth a test.

export const SQL_FOLDER = "supabase/schemas";

const FUNNEL_TESTS = ["tests/funnel"];
const AMOCRM_TESTS = [
  "tests/amocrm/deal-state.test.ts",
  "tests/amocrm/deletes-and-values.test.ts",
  "tests/amocrm/order-properties.test.ts",
  "tests/amocrm/concurrent-delivery.test.ts",
  "tests/amocrm/api-reconcile.test.ts",
  "tests/amocrm/replay.test.ts",
  "tests/amocrm/webhook-http.test.ts",
  "tests/amocrm/utm-precedence.test.ts",
  "tests/amocrm/fields-normalisation.test.ts",
];
const FACEBOOK_TESTS = [
  "tests/facebook/upsert-edges.test.ts",
  "tests/facebook/insights.test.ts",
  "tests/facebook/discovery.test.ts",
  "tests/facebook/faults.test.ts",
  "tests/facebook/settings-rpc.test.ts",
];
// The ad and cohort reports' hand-computed datasets (not the seed printout: slow, and not hand-computed).
const ADS_TESTS = [
  "tests/ads/ad-report.test.ts",
  "tests/ads/ad-daily.test.ts",
  "tests/ads/cohort-lags.test.ts",
  "tests/ads/cohort-edges.test.ts",
  "tests/ads/cohort-payback.test.ts",
  "tests/ads/cohort-summary.test.ts",
  "tests/ads/cohort-scope.test.ts",
  "tests/ads/ad-report-order.test.ts",
  "tests/ads/ad-cohort-views.test.ts",
  "tests/ads/ad-report-edges.test.ts",
  "tests/ads/ad-report-running.test.ts",
  "tests/ads/people.test.ts",
  "tests/ads/cohort-report.test.ts",
  "tests/ads/ad-objects.test.ts",
  "tests/funnel/funnel-lead-basis.test.ts",
];
const REPORT_TESTS = [...FUNNEL_TESTS, "tests/facebook/settings-rpc.test.ts"];

/** The schema files that compute or ingest the numbers, each with the tests that cover it. */
export const SQL_TARGETS: { file: string; tests: string[] }[] = [
  { file: "01_settings.sql", tests: FUNNEL_TESTS },
  { file: "02_teams.sql", tests: [...FUNNEL_TESTS, "tests/amocrm/deal-state.test.ts"] },
  { file: "03_products.sql", tests: [...FUNNEL_TESTS, "tests/amocrm/deal-state.test.ts"] },
  { file: "04_exchange_rates.sql", tests: FUNNEL_TESTS },
  { file: "05_utm.sql", tests: [...AMOCRM_TESTS, "tests/lead-capture"] },
  { file: "07_facebook_sync.sql", tests: FACEBOOK_TESTS },
  { file: "08_leads.sql", tests: ["tests/lead-capture"] },
  { file: "11_amocrm_snapshots.sql", tests: AMOCRM_TESTS },
  { file: "13_amocrm_deal_state.sql", tests: AMOCRM_TESTS },
  { file: "14_amocrm_webhooks.sql", tests: AMOCRM_TESTS },
  { file: "15_analytics_facts.sql", tests: FUNNEL_TESTS },
  { file: "16_access.sql", tests: REPORT_TESTS },
  { file: "17_funnel_report.sql", tests: REPORT_TESTS },
  { file: "18_data_health.sql", tests: [...FUNNEL_TESTS, "tests/health"] },
  { file: "19_analyst_views.sql", tests: FUNNEL_TESTS },
  { file: "20_facebook_settings.sql", tests: FACEBOOK_TESTS },
  { file: "21_retention.sql", tests: ["tests/retention.test.ts"] },
  { file: "23_people.sql", tests: [...ADS_TESTS, "tests/lead-capture/lead-capture.test.ts"] },
  { file: "24_ad_attribution.sql", tests: ADS_TESTS },
  { file: "25_ad_report.sql", tests: ADS_TESTS },
  { file: "26_cohort_report.sql", tests: ADS_TESTS },
  { file: "27_ad_cohort_views.sql", tests: ADS_TESTS },
  // The running totals: the hand-computed windows, and the refresh test's naive recomputation.
  { file: "28_ad_running_totals.sql", tests: [...ADS_TESTS, "tests/funnel/incremental-refresh.test.ts"] },
];

const OMITTED_SUMS_NOT_NULL =
  "ad_report_json's omitted sums (every matched row's sums less the shown rows'): the omitted object is built only when row_count > 0, so there is a matched row, and every column of analytics.ad_row_figures is a sum of non-null values (ad_facts coalesces its money and counts its rows), so both signed sums are non-null and so is their total";

const RUNNING_CHANGE_ONLY_MORE =
  "ad_running_changes: without the day before (a key's first day) the difference is null instead of the day's totals, and ad_analytics's 'any' rows are never null in these columns (ad_facts sums non-null counts and coalesces spend): such a key is only ever found changed more often, never less, and recompute_ad_running recomputing an unchanged key writes the same rows";

const COHORT_LAGS_NULL_SUM =
  "cohort_lags's final sums: null only for a lag without that figure; its one caller, cohort_report_json, sums the lags again (sum skips a null) and coalesces what it shows, cohort_people_figures keeps lags with `> 0` buyers (null is left out as 0 is), and the lag filter's row comparison is null where it was false (left out either way)";

/** Mutant id → why the change cannot alter behaviour. Not run; not in the score. */
export const EQUIVALENT_SQL_MUTANTS: Record<string, string> = {
  "15_analytics_facts.sql:analytics.refresh_analytics:coalesce-drop:1":
    "no stale days: a null array of run starts unnests to no runs, as an empty one does",
  "15_analytics_facts.sql:analytics.refresh_analytics:coalesce-drop:2":
    "no stale days: a null array of run ends unnests to no runs, as an empty one does",
  "14_amocrm_webhooks.sql:voronka.amocrm_webhook_deal_ids:coalesce-drop:1":
    "a null array locks nothing, as an empty one does (voronka.amocrm_lock_deals unnests it)",
  "14_amocrm_webhooks.sql:voronka.amocrm_webhook_deal_ids:and-term-drop:1":
    "->> 'id' of a non-object is null, and voronka.amocrm_lock_deals skips null ids",
  "14_amocrm_webhooks.sql:voronka.amocrm_webhook_deal_ids:and-term-drop:2": "voronka.amocrm_lock_deals skips null ids",
  "13_amocrm_deal_state.sql:voronka.amocrm_observe_deals:coalesce-drop:1":
    "every snapshot carries is_deleted: both normalizers and voronka.amocrm_apply_api_missing set it",
  "13_amocrm_deal_state.sql:voronka.amocrm_apply_api_leads:coalesce-drop:1":
    "only an empty page leaves the array null, and voronka.amocrm_observe_deals does nothing with a null array as with an empty one (unnest of null yields no rows)",
  "13_amocrm_deal_state.sql:voronka.amocrm_apply_api_leads:coalesce-drop:2":
    "only an empty page leaves the array null, and voronka.amocrm_observe_deals does nothing with a null array as with an empty one (unnest of null yields no rows)",
  "23_people.sql:voronka.normalize_phone:coalesce-drop:2":
    "only a null phone reaches the fallback, and the check above it (which keeps its coalesce) returns null for it first",
  "23_people.sql:voronka.normalize_phone:coalesce-drop:3":
    "a null phone skips the check, and then no branch of the case matches an empty digit string: null either way",
  "23_people.sql:voronka.link_person:range-edge:1":
    "merge_people with an empty list moves and deletes nothing; its refresh_person of the kept person is idempotent (and every caller refreshes it anyway)",
  "23_people.sql:voronka.refresh_person:and-term-drop:1":
    "the condition only skips writing unchanged values; the person update trigger marks stale days only where the first lead changed",
  "23_people.sql:voronka.amocrm_contact_deal_ids:coalesce-drop:1":
    "both callers unnest the array, and unnest of null yields no rows, as of '{}'",
  "23_people.sql:voronka.amocrm_webhook_locked_deal_ids:coalesce-drop:1":
    "an array || a null array is the array itself",
  "23_people.sql:voronka.amocrm_apply_webhook_contacts:coalesce-drop:1":
    "its one caller adds it to the deals applied and tests > 0: null (no contacts) gives 'ignored' exactly as 0 does",
  "23_people.sql:voronka.lead_capture_fields:coalesce-drop:1":
    "a null content type fails ilike 'application/json%' (null) exactly as '' does: both read the body as a form",
  "24_ad_attribution.sql:voronka.reattribute_ads:and-term-drop:1":
    "every match is kept current (the insights, object, name and configuration triggers re-match what they change), so rows outside p_values are matched again to what they already hold and the is-distinct term skips them: the filter only saves work",
  "24_ad_attribution.sql:voronka.reattribute_ads:and-term-drop:3":
    "every match is kept current (the insights, object, name and configuration triggers re-match what they change), so rows outside p_values are matched again to what they already hold and the is-distinct term skips them: the filter only saves work",
  "24_ad_attribution.sql:voronka.fb_ad_objects_from_insights:range-edge:9":
    "a name seen again on its last day: >= rewrites the same last_day that > skips (and the name table has no update trigger)",
  "24_ad_attribution.sql:voronka.fb_ad_objects_from_insights:coalesce-drop:4":
    "in the skip-unchanged condition only: null where the kept value would be makes the row differ more often (a same-value write), never less (the kept value equals the old one)",
  "24_ad_attribution.sql:voronka.fb_ad_objects_from_insights:coalesce-drop:5":
    "in the skip-unchanged condition only: null where the kept value would be makes the row differ more often (a same-value write), never less (the kept value equals the old one)",
  "24_ad_attribution.sql:voronka.fb_ad_objects_from_insights:coalesce-drop:6":
    "in the skip-unchanged condition only: null where the kept value would be makes the row differ more often (a same-value write), never less (the kept value equals the old one)",
  "17_funnel_report.sql:analytics.lead_date_sales:and-term-drop:2":
    "leads without a person collapse into one null person, and a null person joins no deal: they buy nothing either way",
  "17_funnel_report.sql:analytics.funnel_team_figures:coalesce-drop:1":
    "a team's spend is shown only with spend rows in the window (has_spend_data: its accounts have insight rows), and then the sum is not null; the totals' sum skips a null",
  "17_funnel_report.sql:analytics.funnel_zone_warnings:range-edge:1":
    "hours_ahead_of_business is never 0 here: accounts whose day starts with the business day's are filtered out above",
  "17_funnel_report.sql:analytics.funnel_team_figures:coalesce-drop:2":
    "null only for a team without rows, which has no spend data either: `null and false` is false as `true and false` is, bool_and skips the null, and `not null` selects no spend rows for the rate warnings, as `not true` does",
  "21_retention.sql:voronka.apply_retention:range-edge:2":
    "the delete's re-check of a row the doomed list took with a strict `<`: it differs only for a redelivery that moved the row to exactly the cutoff instant (a microsecond) between the two",
  "21_retention.sql:voronka.apply_retention:range-edge:4":
    "the delete's re-check of a lead-capture row the doomed list took with a strict `<`: received_at never changes, so `<=` keeps the same rows",
  "21_retention.sql:voronka.apply_retention:coalesce-drop:1":
    "max(id) is null only when there is no run at all, and then there is nothing to delete either way",
  "20_facebook_settings.sql:public.assign_facebook_ad_account:coalesce-drop:1":
    "a null id matches no account either way, and the error names p_ad_account_id, not the cleaned id",
  "11_amocrm_snapshots.sql:voronka.amocrm_snapshot_from_webhook:coalesce-drop:1":
    "p_lead comes from jsonb_array_elements, which never yields SQL null (a JSON null is the jsonb 'null')",
  "11_amocrm_snapshots.sql:voronka.amocrm_snapshot_from_api:coalesce-drop:1":
    "p_lead comes from jsonb_array_elements, which never yields SQL null (a JSON null is the jsonb 'null')",
  "11_amocrm_snapshots.sql:voronka.amocrm_snapshot_from_api:coalesce-drop:2":
    "is_deleted null and false are read the same everywhere (every reader coalesces it to false)",
  "07_facebook_sync.sql:voronka.sync_fb_discovery:coalesce-drop:1":
    "jsonb_to_recordset is strict: null gives no rows, exactly as '[]' does",
  "07_facebook_sync.sql:voronka.sync_fb_discovery:coalesce-drop:2":
    "jsonb_to_recordset is strict: null gives no rows, exactly as '[]' does",
  "07_facebook_sync.sql:voronka.sync_fb_discovery:coalesce-drop:4":
    "jsonb_to_recordset is strict: null gives no rows, exactly as '[]' does",
  "07_facebook_sync.sql:voronka.sync_fb_discovery:coalesce-drop:8":
    "jsonb_to_recordset is strict: null gives no rows, exactly as '[]' does",
  "11_amocrm_snapshots.sql:voronka.amocrm_utm_from_fields:coalesce-drop:1":
    "a field without a name: null is compared with like/= only, where null filters out exactly as '' does",
  "11_amocrm_snapshots.sql:voronka.amocrm_utm_from_fields:coalesce-drop:2":
    "a field without a code: null is compared with like/= only, where null filters out exactly as '' does",
  "26_cohort_report.sql:analytics.cohort_people_figures:range-edge:3":
    "a lag with 0 Express buyers adds nothing to the running counts: the smallest lag whose running count exceeds a rank is the same, and a cohort with none has total 0 (left out by `total_persons > 0`)",
  "26_cohort_report.sql:analytics.cohort_people_figures:range-edge:4":
    "a lag with 0 Express → Flagman persons adds nothing to the running counts: the smallest lag whose running count exceeds a rank is the same, and a cohort with none has total 0 (left out by `total_persons > 0`)",
  "26_cohort_report.sql:analytics.cohort_people_figures:range-edge:5":
    "lag_counts keeps only lags with at least one person, so total_persons is never 0: `> 0` and `>= 0` keep the same ranks",
  "26_cohort_report.sql:analytics.cohort_period_figures:coalesce-drop:2":
    "spend is read only where spend_complete, which needs insight rows of the teams in the period: then the period has funnel rows, whose spend is never null, and the sum is not null",
  "26_cohort_report.sql:analytics.cohort_period_figures:coalesce-drop:3":
    "null only for a period without funnel rows, which has no insight rows either: the exists conjunct is false, and `null and false` is false",
  "26_cohort_report.sql:analytics.cohort_report_json:coalesce-drop:2":
    "the horizons' jsonb_agg runs over unnest(analytics.cohort_horizons()), five rows always (the left join keeps them): never null",
  "26_cohort_report.sql:analytics.cohort_report_json:coalesce-drop:23":
    "the periods are generate_series(date_trunc(p_grain, p_from), p_until), and public.cohort_report refuses p_from after p_until: at least one cohort row, so the jsonb_agg is never null",
  "26_cohort_report.sql:public.cohort_report:coalesce-drop:3":
    "p_grain null only: the default window then is null too, but check_report_choice refuses a null p_grain right after with the same error",
  "26_cohort_report.sql:public.cohort_report:coalesce-drop:4":
    "p_grain null only: the default window then is null too, but check_report_choice refuses a null p_grain right after with the same error",
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:1":
    "the ranking's has-spend flag: spend_rows and spend_rows_missing_rate of an ad_row_figures row are sums over at least one row of non-null counts, so the comparison is never null",
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:12":
    "the totals' spend_complete: the sum is null only without rows, and then the other conjunct (coalesce(sum(spend_rows), 0) > 0) is false: `null and false` is false",
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:14":
    "the totals' rate_complete: null only for a window without rows, which has no insight rows either; funnel_rate_warnings reads it as `not p_spend_converted`, and `not null` selects no spend rows, as `not true` does",
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:2": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:3": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:4": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:5": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:6": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:7": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:8": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:9": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:10": OMITTED_SUMS_NOT_NULL,
  "25_ad_report.sql:analytics.ad_report_json:coalesce-drop:11": OMITTED_SUMS_NOT_NULL,
  "18_data_health.sql:public.data_health:coalesce-drop:2":
    "analytics.data_health_checks always returns rows (utm_coverage, spend_without_leads, no_spend_data and implausible_time apply to every caller), so the list is never null",
  "18_data_health.sql:analytics.attribution_health_checks:coalesce-drop:12":
    "no_spend.names is null only when no team is listed (n = 0), and the message reads it only when n > 0",
  "18_data_health.sql:analytics.attribution_health_checks:coalesce-drop:5":
    "window_sales.team_id is read only by `team_id <> 'unattributed'`, where null is filtered out exactly as 'unattributed' is",
  "28_ad_running_totals.sql:analytics.ad_running_changes:coalesce-drop:1": RUNNING_CHANGE_ONLY_MORE,
  "28_ad_running_totals.sql:analytics.ad_running_changes:coalesce-drop:2": RUNNING_CHANGE_ONLY_MORE,
  "28_ad_running_totals.sql:analytics.ad_running_changes:coalesce-drop:3": RUNNING_CHANGE_ONLY_MORE,
  "28_ad_running_totals.sql:analytics.ad_running_changes:coalesce-drop:4": RUNNING_CHANGE_ONLY_MORE,
  "28_ad_running_totals.sql:analytics.ad_running_changes:coalesce-drop:5": RUNNING_CHANGE_ONLY_MORE,
  "28_ad_running_totals.sql:analytics.ad_running_changes:coalesce-drop:6": RUNNING_CHANGE_ONLY_MORE,
  "28_ad_running_totals.sql:analytics.ad_running_changes:range-edge:2":
    "`>=` also compares a day repeating the day before (no ad_analytics row): its all-zero difference never equals a cached 'any' row (one has spend_rows or leads >= 1), so the key is only found changed more often, and recomputing an unchanged key writes the same rows",
  "28_ad_running_totals.sql:analytics.ad_running_window:range-edge:3":
    "its one caller, ad_row_figures, sums fact_days again and keeps only groups with sum > 0; a key without a fact day in the window adds zeros to every sum (its rows repeat the same totals), so `>= 0` shows the same rows",
  "25_ad_report.sql:analytics.ad_row_figures:coalesce-drop:5":
    "null only for a row of sales alone; its one caller, ad_report_json, reads spend_rows only in `spend_rows > 0 and …` (a case in ad_row_json, a coalesce(…, false) in the ranking), where null is false as 0 > 0 is, and in sums that skip a null",
  "25_ad_report.sql:analytics.ad_row_figures:coalesce-drop:6":
    "null only for a row of sales alone, whose spend_rows is 0: ad_report_json reads spend_rows_missing_rate only after `spend_rows > 0 and` (false either way) and in sums that skip a null",
  "26_cohort_report.sql:analytics.recompute_cohort_summary:between-edge:1":
    "the runs are merged spans of whole cohorts (a period's first day .. a period's last day) and cs.cohort is a period's first day, never a span's last day (a week or month is longer than a day): `<` deletes the same rows",
  "26_cohort_report.sql:analytics.recompute_cohort_summary:coalesce-drop:1":
    "null arrays only without runs: the delete's unnest and cohort_summary_facts's unnest of null give no rows, as of '{}'",
  "26_cohort_report.sql:analytics.recompute_cohort_summary:coalesce-drop:2":
    "null arrays only without runs: the delete's unnest and cohort_summary_facts's unnest of null give no rows, as of '{}'",
  "26_cohort_report.sql:analytics.cohort_lags:coalesce-drop:4": COHORT_LAGS_NULL_SUM,
  "26_cohort_report.sql:analytics.cohort_lags:coalesce-drop:5": COHORT_LAGS_NULL_SUM,
  "26_cohort_report.sql:analytics.cohort_lags:coalesce-drop:6": COHORT_LAGS_NULL_SUM,
  "26_cohort_report.sql:analytics.cohort_lags:coalesce-drop:7": COHORT_LAGS_NULL_SUM,
  "26_cohort_report.sql:analytics.cohort_lags:coalesce-drop:8": COHORT_LAGS_NULL_SUM,
  "26_cohort_report.sql:analytics.cohort_lags:day-shift:2":
    "the cut run then also takes the next period's first day: its cached facts are subtracted into the next cohort, after p_until, which from_summary does not read and cohort_report_json (figures joined to its periods) does not show; the one read across cohorts, the missing-rate warning, tests sales_missing_rate > 0, which a subtraction never makes true; and p_until's own cohort has no cached entry day after the cut to subtract when the exists test found only that day",
};

/**
 * Mutant id → why a surviving change is not worth a test. Run and counted as survived (the score
 * does not hide them); the reason is printed beside each.
 */
export const ACCEPTED_SQL_SURVIVORS: Record<string, string> = {
  "16_access.sql:analytics.visible_teams:coalesce-drop:2":
    "anon and authenticated cannot log in (NOLOGIN), so session_user never decides a member's scope; a direct session sees every team either way",
  "07_facebook_sync.sql:voronka.start_fb_sync_run:range-edge:1":
    "a run's start compared with now() - threshold: < and <= differ only within the same microsecond",
  "15_analytics_facts.sql:analytics.refresh_analytics:range-edge:1":
    "housekeeping of the refresh log (keeps 1,000 or 1,001 rows); no figure reads more than the latest row",
  "15_analytics_facts.sql:analytics.refresh_analytics:rounding:1":
    "duration_ms of the refresh log to 0.1 or 1 ms: an operator's figure, not a report's",
};

/**
 * Mutants the operators cannot express, declared by hand: a snippet of the file and what a careless
 * edit would make of it.
 */
export const DECLARED_SQL_MUTANTS: { file: string; id: string; find: string; replace: string }[] = [
  {
    file: "04_exchange_rates.sql",
    id: "previous-day-rate",
    find: "where r.day = p_day and r.currency = p_currency",
    replace: "where r.day = p_day - 1 and r.currency = p_currency",
  },
  {
    file: "04_exchange_rates.sql",
    id: "reporting-currency-not-identity",
    find: "case when p_currency = s.reporting_currency then 1",
    replace: "case when p_currency = s.reporting_currency then null",
  },
  {
    file: "15_analytics_facts.sql",
    id: "lead-update-trigger-dropped",
    find: `create trigger lead_stale_on_update after update on voronka.lead
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');`,
    replace: "",
  },
  {
    file: "15_analytics_facts.sql",
    id: "sale-update-trigger-dropped",
    find: `create trigger sale_stale_on_update after update on voronka.sale
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_instant_days('won_at');`,
    replace: "",
  },
  {
    file: "15_analytics_facts.sql",
    id: "sale-delete-trigger-dropped",
    find: `create trigger sale_stale_on_delete after delete on voronka.sale
  referencing old table as old_rows for each statement execute function analytics.mark_stale_instant_days('won_at');`,
    replace: "",
  },
  {
    file: "15_analytics_facts.sql",
    id: "insight-update-trigger-dropped",
    find: `create trigger fb_ad_insight_stale_on_update after update on voronka.fb_ad_insight
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_insight_days();`,
    replace: "",
  },
  {
    file: "15_analytics_facts.sql",
    id: "insight-delete-trigger-dropped",
    find: `create trigger fb_ad_insight_stale_on_delete after delete on voronka.fb_ad_insight
  referencing old table as old_rows for each statement execute function analytics.mark_stale_insight_days();`,
    replace: "",
  },
  {
    file: "15_analytics_facts.sql",
    id: "rate-insert-trigger-dropped",
    find: `create trigger exchange_rate_stale_on_insert after insert on voronka.exchange_rate
  referencing new table as new_rows for each statement execute function analytics.mark_stale_rate_days();`,
    replace: "",
  },
  {
    file: "15_analytics_facts.sql",
    id: "rate-update-trigger-dropped",
    find: `create trigger exchange_rate_stale_on_update after update on voronka.exchange_rate
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_rate_days();`,
    replace: "",
  },
  {
    file: "15_analytics_facts.sql",
    id: "lead-delete-trigger-dropped",
    find: `create trigger lead_stale_on_delete after delete on voronka.lead
  referencing old table as old_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');`,
    replace: "",
  },
];
