// What a ProfTest submission must look like. The landing posts JSON, or a form service posts
// form-encoded fields with the same names; UTM tags may also come only inside page_url.
import { z } from "zod";

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

const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"] as const;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Fills UTM tags missing from the fields with those in page_url's query string. */
function withUtmsFromPageUrl(submission: Submission): Submission {
  if (!submission.page_url) return submission;
  let query: URLSearchParams;
  try {
    // Form builders sometimes HTML-escape the URL they forward.
    query = new URL(submission.page_url.replaceAll("&amp;", "&")).searchParams;
  } catch {
    return submission;
  }
  const filled: Submission = { ...submission };
  for (const key of UTM_KEYS) {
    if (!filled[key] && query.get(key)) filled[key] = query.get(key)!.trim();
  }
  return filled;
}

export function parseSubmission(
  fields: unknown,
  receivedAt: Date,
): { ok: true; submission: Submission & { occurred_at: string } } | { ok: false; issues: ValidationIssue[] } {
  const result = submissionSchema.safeParse(fields);
  if (!result.success) {
    return {
      ok: false,
      issues: result.error.issues.map((issue) => ({
        path: issue.path.join(".") || "(body)",
        message: issue.message,
      })),
    };
  }
  const submission = withUtmsFromPageUrl(result.data);
  return { ok: true, submission: { ...submission, occurred_at: submission.occurred_at ?? receivedAt.toISOString() } };
}
