// What a ProfTest submission must look like. The landing posts JSON, or a form service posts
// form-encoded fields with the same names; UTM tags may also come only inside page_url (read in SQL).
import { z } from "zod";

// Stryker disable next-line ArrowFunction: called only while the module loads, to build the schema; replaced, no importer of this file loads at all (no test can run, so none can fail)
const text = (max: number) => z.string().trim().max(max);

export const submissionSchema = z.looseObject({
  submission_id: text(200).min(1, "submission_id is required: the landing's own id of the submission"),
  occurred_at: z.iso
    .datetime({ offset: true, message: "occurred_at must be an ISO 8601 instant with an offset" })
    .optional(),
  utm_source: text(500).optional(),
  utm_medium: text(500).optional(),
  utm_campaign: text(500).optional(),
  utm_content: text(500).optional(),
  utm_term: text(500).optional(),
  page_url: text(4000).optional(),
});

export type Submission = z.infer<typeof submissionSchema>;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Deepest JSON nesting accepted: a form has flat fields; deeper bodies are refused before parsing. */
export const MAX_JSON_DEPTH = 32;

/** How deep `{`/`[` nest in a JSON text (strings skipped); stops counting once above `stopAbove`. */
export function jsonNestingDepth(text: string, stopAbove = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  // Stryker disable next-line EqualityOperator: `<=` reads one past the end, where charCodeAt is NaN and matches nothing
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      // Stryker disable next-line EqualityOperator: `>=` sets max to the depth it already equals
      if (depth > max) max = depth;
      if (max > stopAbove) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

// Half of a UTF-16 pair without its other half (what `"\ud83d"` in JSON parses to): not Unicode,
// and Postgres refuses it in text and jsonb.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

/** Text Postgres can store: NUL (U+0000) and lone surrogates become U+FFFD. */
export function storableText(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATES, "\uFFFD");
}

/** Why a string cannot be stored as is, or null. */
function unstorableReason(value: string): string | null {
  if (value.includes("\u0000")) return "contains a NUL character (U+0000), which cannot be stored";
  if (LONE_SURROGATE.test(value)) {
    return "is not valid Unicode: it contains a lone surrogate (half of a UTF-16 pair, e.g. an emoji cut in half)";
  }
  return null;
}

const MAX_TEXT_ISSUES = 20;

/** Every key and string value (at any depth) that Postgres could not store. */
function unstorableStrings(value: unknown, path: string[], issues: ValidationIssue[]): void {
  if (issues.length >= MAX_TEXT_ISSUES) return;
  const where = () => storableText(path.join(".")) || "(body)";
  if (typeof value === "string") {
    const reason = unstorableReason(value);
    if (reason) issues.push({ path: where(), message: `${path.length ? "the value" : "the body"} ${reason}` });
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    const reason = unstorableReason(key);
    if (reason) {
      issues.push({ path: storableText([...path, key].join(".")), message: `the field name ${reason}` });
      if (issues.length >= MAX_TEXT_ISSUES) return;
    }
    unstorableStrings(child, [...path, key], issues);
  }
}

// occurred_at must be a moment the landing could really have seen: not before this system's
// data starts, not in the future (a day of slack for clocks and offsets).
const EARLIEST_OCCURRED_AT = Date.parse("2000-01-01T00:00:00Z");
const FUTURE_SLACK_MS = 24 * 60 * 60 * 1000;
// Real-world UTC offsets run from -12:00 to +14:00 (Postgres refuses beyond ±15:59).
const OFFSET = /([+-])(\d{2}):?(\d{2})$/;

function occurredAtIssue(value: string, receivedAt: Date): ValidationIssue | null {
  const offset = OFFSET.exec(value);
  if (
    offset &&
    (Number(offset[2]) * 60 + Number(offset[3]) > 14 * 60 ||
      // Stryker disable next-line ConditionalExpression,EqualityOperator: unreachable: zod's datetime check refuses offset minutes of 60 and more first
      Number(offset[3]) >= 60)
  ) {
    return { path: "occurred_at", message: "occurred_at has a UTC offset beyond ±14:00" };
  }
  const at = Date.parse(value);
  if (!(at >= EARLIEST_OCCURRED_AT && at <= receivedAt.getTime() + FUTURE_SLACK_MS)) {
    return {
      path: "occurred_at",
      message: "occurred_at must be between 2000-01-01T00:00:00Z and one day after the time of receipt",
    };
  }
  return null;
}

export function parseSubmission(
  fields: unknown,
  receivedAt: Date,
): { ok: true; submission: Submission & { occurred_at: string } } | { ok: false; issues: ValidationIssue[] } {
  const result = submissionSchema.safeParse(fields);
  const issues: ValidationIssue[] = result.success
    ? []
    : result.error.issues.map((issue) => ({
        path: storableText(issue.path.map(String).join(".")) || "(body)",
        message: storableText(issue.message),
      }));
  unstorableStrings(fields, [], issues);
  if (result.success && result.data.occurred_at) {
    const issue = occurredAtIssue(result.data.occurred_at, receivedAt);
    if (issue) issues.push(issue);
  }
  if (!result.success || issues.length > 0) return { ok: false, issues };
  // UTM tags missing from the fields are read from page_url in SQL (voronka.record_proftest_lead),
  // by the same parser as amoCRM's URL fields.
  const submission = result.data;
  return { ok: true, submission: { ...submission, occurred_at: submission.occurred_at ?? receivedAt.toISOString() } };
}
