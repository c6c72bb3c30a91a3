// The small shared helpers every receiver relies on, at their edges: the byte limit of a body (to
// the byte), the request deadline, timeouts from the environment, the secret comparison and which
// errors mean "the database is unavailable". Expected values are worked out by hand.
import { describe, expect, it } from "vitest";
import { secretsEqual } from "../supabase/functions/_shared/authorize.ts";
import { ConfigError } from "../supabase/functions/_shared/config.ts";
import { DeadlineExceededError, readDatabaseTimeouts, withDeadline } from "../supabase/functions/_shared/deadline.ts";
import { isDatabaseUnavailable } from "../supabase/functions/_shared/errors.ts";
import { databaseUnavailable, errorResponse, json } from "../supabase/functions/_shared/http.ts";
import { BodyTooLargeError, readBodyWithLimit } from "../supabase/functions/_shared/request-body.ts";

function post(body: BodyInit | null, headers: Record<string, string> = {}) {
  return new Request("http://localhost/", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

/** A body in chunks of the given sizes, without a content-length. */
function chunked(sizes: number[]) {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let byte = 0;
      for (const size of sizes) controller.enqueue(Uint8Array.from({ length: size }, () => 97 + (byte++ % 26)));
      controller.close();
    },
  });
  return post(stream);
}

describe("readBodyWithLimit's byte limit", () => {
  it("accepts exactly the limit and refuses one byte more, declared or streamed", async () => {
    expect(await readBodyWithLimit(post("abcde"), 5)).toEqual(new TextEncoder().encode("abcde"));
    await expect(readBodyWithLimit(post("abcdef", { "content-length": "6" }), 5)).rejects.toThrow(
      new BodyTooLargeError("6 bytes declared"),
    );
    await expect(readBodyWithLimit(post("abcdef"), 5)).rejects.toThrow(new BodyTooLargeError("more than 5 bytes"));
    // Streamed in chunks of 2 + 3 = 5 bytes: accepted and joined in order; 2 + 2 + 2 = 6: refused.
    expect(new TextDecoder().decode(await readBodyWithLimit(chunked([2, 3]), 5))).toBe("abcde");
    await expect(readBodyWithLimit(chunked([2, 2, 2]), 5)).rejects.toThrow(new BodyTooLargeError("more than 5 bytes"));
  });

  it("a declared length at the limit is read; no body is empty; a lying content-length is not trusted", async () => {
    expect(await readBodyWithLimit(post("abc", { "content-length": "3" }), 3)).toHaveLength(3);
    // A declared length is checked before reading: 4 declared over a limit of 3 is refused as declared.
    await expect(readBodyWithLimit(post("abc", { "content-length": "4" }), 3)).rejects.toThrow("4 bytes declared");
    expect(await readBodyWithLimit(new Request("http://localhost/"), 3)).toEqual(new Uint8Array(0));
    await expect(readBodyWithLimit(chunked([4]), 3)).rejects.toBeInstanceOf(BodyTooLargeError);
  });
});

describe("withDeadline", () => {
  it("passes a result that arrives in time, and rejects with the deadline after it", async () => {
    expect(await withDeadline(Promise.resolve(7), 50)).toBe(7);
    const slow = new Promise((resolve) => setTimeout(() => resolve("late"), 200));
    const started = performance.now();
    const error = await withDeadline(slow, 30).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).message).toBe("the database did not answer within 30 ms");
    expect((error as DeadlineExceededError).code).toBe("DEADLINE_EXCEEDED");
    expect(performance.now() - started).toBeLessThan(190);
    await expect(withDeadline(Promise.reject(new Error("boom")), 50)).rejects.toThrow("boom");
  });
});

describe("database timeouts from the environment", () => {
  it("keeps the statement timeout 100 ms under the deadline and at least 100 ms; refuses nonsense", () => {
    expect(readDatabaseTimeouts({})).toEqual({ deadlineMs: 1500, statementTimeoutMs: 1200 });
    expect(readDatabaseTimeouts({ DB_DEADLINE_MS: " ", DB_STATEMENT_TIMEOUT_MS: "" })).toEqual({
      deadlineMs: 1500,
      statementTimeoutMs: 1200,
    });
    // 1,000 − 100 = 900 < 1,200
    expect(readDatabaseTimeouts({ DB_DEADLINE_MS: "1000" })).toEqual({ deadlineMs: 1000, statementTimeoutMs: 900 });
    // 150 − 100 = 50, raised to the floor of 100
    expect(readDatabaseTimeouts({ DB_DEADLINE_MS: "150" })).toEqual({ deadlineMs: 150, statementTimeoutMs: 100 });
    // 1,300 − 100 = 1,200: the statement timeout asked for (1,250) is cut to it
    expect(readDatabaseTimeouts({ DB_DEADLINE_MS: "1300", DB_STATEMENT_TIMEOUT_MS: "1250" })).toEqual({
      deadlineMs: 1300,
      statementTimeoutMs: 1200,
    });
    expect(readDatabaseTimeouts({ DB_DEADLINE_MS: "2000", DB_STATEMENT_TIMEOUT_MS: "700" })).toEqual({
      deadlineMs: 2000,
      statementTimeoutMs: 700,
    });
    expect(readDatabaseTimeouts({ DB_STATEMENT_TIMEOUT_MS: "1" })).toEqual({
      deadlineMs: 1500,
      statementTimeoutMs: 100,
    });
    expect(readDatabaseTimeouts({ DB_DEADLINE_MS: "600000" }).deadlineMs).toBe(600_000);
    for (const nonsense of ["0", "-5", "abc", "Infinity", "2000.6", "600001"]) {
      expect(() => readDatabaseTimeouts({ DB_DEADLINE_MS: nonsense }), nonsense).toThrow(
        new ConfigError(`DB_DEADLINE_MS must be a whole number between 1 and 600000, got "${nonsense}"`),
      );
    }
  });
});

describe("secretsEqual", () => {
  it("is true only for the same non-empty secret", () => {
    expect(secretsEqual("s3cret", "s3cret")).toBe(true);
    expect(secretsEqual("s3creT", "s3cret")).toBe(false);
    expect(secretsEqual("s3cre", "s3cret")).toBe(false);
    expect(secretsEqual("s3cret!", "s3cret")).toBe(false);
    // A prefix padded with what a missing byte reads as (0) is still different.
    expect(secretsEqual("s3cre\u0000", "s3cre")).toBe(false);
    expect(secretsEqual(null, "s3cret")).toBe(false);
    expect(secretsEqual(undefined, "")).toBe(false);
    expect(secretsEqual("", "")).toBe(false);
    expect(secretsEqual("ключ", "ключ")).toBe(true);
  });
});

describe("isDatabaseUnavailable", () => {
  it("network codes, Postgres' going-away states, the deadline and Deno's refused connection; nothing else", () => {
    for (const code of ["ECONNREFUSED", "CONNECT_TIMEOUT", "57P01", "08006", "57014", "DEADLINE_EXCEEDED", "53300"]) {
      expect(isDatabaseUnavailable({ code }), code).toBe(true);
    }
    expect(isDatabaseUnavailable({ errno: "ECONNRESET" })).toBe(true);
    expect(isDatabaseUnavailable({ name: "ConnectionRefused" })).toBe(true);
    expect(isDatabaseUnavailable({ name: "ConnectionReset" })).toBe(true);
    expect(isDatabaseUnavailable(new DeadlineExceededError(10))).toBe(true);
    for (const other of [{ code: "23505" }, { code: "42P01" }, { name: "TypeError" }, {}, null, undefined]) {
      expect(isDatabaseUnavailable(other), JSON.stringify(other)).toBe(false);
    }
  });
});

describe("JSON answers", () => {
  it("have the status, the JSON content type, extra headers and the error shape", async () => {
    const ok = json(201, { id: 1 }, { "x-extra": "1" });
    expect(ok.status).toBe(201);
    expect(ok.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(ok.headers.get("x-extra")).toBe("1");
    expect(await ok.json()).toEqual({ id: 1 });
    const refused = errorResponse("payload_too_large", "Too big.");
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({ error: { code: "payload_too_large", message: "Too big." } });
    expect(await errorResponse("invalid_submission", "Bad.", [1]).json()).toEqual({
      error: { code: "invalid_submission", message: "Bad.", details: [1] },
    });
    const unavailable = databaseUnavailable("down");
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("5");
    expect(await unavailable.json()).toEqual({ error: { code: "database_unavailable", message: "down" } });
    expect(databaseUnavailable("down", 30).headers.get("retry-after")).toBe("30");
  });
});
