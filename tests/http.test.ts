// The shared HTTP helpers every handler answers with: the 500 shape and the body read deadline.
import { describe, expect, it } from "vitest";
import { withInternalErrors } from "../supabase/functions/_shared/http.ts";
import { BodyTimeoutError, readBodyWithLimit } from "../supabase/functions/_shared/request-body.ts";

describe("withInternalErrors", () => {
  it("turns anything a handler throws into internal_error with a correlation id, the detail only in the log", async () => {
    const lines: string[] = [];
    const handler = withInternalErrors(
      async () => {
        throw new Error('relation "voronka.secret_table" does not exist');
      },
      "test-fn",
      (line) => lines.push(line),
    );
    const response = await handler(new Request("http://localhost/"));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/secret_table/);
    const { error } = JSON.parse(text);
    expect(error).toEqual({
      code: "internal_error",
      message: expect.any(String),
      correlation_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^test-fn: internal error ${error.correlation_id}: .*secret_table`, "s"));
  });
});

function trickle(bytes: Uint8Array, everyMs: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (i < bytes.length) controller.enqueue(bytes.slice(i, ++i));
      else controller.close();
    },
  });
}
const request = (body: ReadableStream<Uint8Array>) =>
  new Request("http://localhost/", { method: "POST", body, duplex: "half" } as RequestInit);

describe("readBodyWithLimit's deadline", () => {
  it("reads a body that arrives in time, slowly or not", async () => {
    const body = await readBodyWithLimit(request(trickle(new TextEncoder().encode("abc"), 10)), 100, {
      timeoutMs: 1_000,
    });
    expect(new TextDecoder().decode(body)).toBe("abc");
  });

  it("gives up on a body trickling past the deadline, whatever the byte limit", async () => {
    const started = Date.now();
    await expect(
      readBodyWithLimit(request(trickle(new Uint8Array(1_000), 30)), 1_000_000, { timeoutMs: 150 }),
    ).rejects.toBeInstanceOf(BodyTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
