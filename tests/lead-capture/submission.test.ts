// page_url only fills UTM tags the landing did not post; what it posted stands.
import { describe, expect, it } from "vitest";
import { parseSubmission } from "../../supabase/functions/_shared/lead-capture/submission.ts";

describe("UTM tags from page_url", () => {
  it("fill the missing fields and never override posted ones", () => {
    const parsed = parseSubmission(
      {
        submission_id: "pt-1",
        utm_source: "kenesary",
        utm_campaign: "",
        page_url: "https://school.kz/test?utm_source=other&amp;utm_campaign=ken_video&utm_medium=cpc",
      },
      new Date("2026-11-20T10:00:00Z"),
    );
    expect(parsed).toMatchObject({
      ok: true,
      submission: {
        utm_source: "kenesary",
        utm_campaign: "ken_video",
        utm_medium: "cpc",
        occurred_at: "2026-11-20T10:00:00.000Z",
      },
    });
  });
});
