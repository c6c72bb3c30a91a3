// More edges of the shared helpers: URLs from the environment, the secret check's answers (no
// header, padded header, the hint it gives), what a database outage logs, the stack of an
// internal error in the log, and the API role session (refuses other roles; commits unless told).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, type ApiRole } from "../supabase/functions/_shared/api-role.ts";
import { authorize } from "../supabase/functions/_shared/authorize.ts";
import { ConfigError, httpUrl } from "../supabase/functions/_shared/config.ts";
import { failureResponse, internalError } from "../supabase/functions/_shared/http.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe("httpUrl", () => {
  it("keeps an http(s) URL without its trailing slashes and refuses anything else", () => {
    expect(httpUrl({ U: "https://api.example.kz/v4//" }, "U", null)).toBe("https://api.example.kz/v4");
    expect(httpUrl({ U: "http://localhost:8080" }, "U", null)).toBe("http://localhost:8080");
    expect(httpUrl({}, "U", "https://fallback")).toBe("https://fallback");
    for (const raw of ["not a url", "ftp://files.example.kz"]) {
      expect(() => httpUrl({ U: raw }, "U", null)).toThrow(ConfigError);
      expect(() => httpUrl({ U: raw }, "U", null)).toThrow(`U must be an http(s) URL, got "${raw}"`);
    }
  });
});

describe("authorize", () => {
  const check = { secret: "s3cret", setting: "X_SECRET", places: ["bearer", "query"] as const };
  const request = (headers: Record<string, string> = {}, query = "") =>
    new Request(`http://localhost/${query}`, { headers });

  it("accepts a Bearer secret with spaces around it, and answers 401 with the hint when none is sent", async () => {
    expect(authorize(request({ authorization: "Bearer   s3cret  " }), check)).toBeNull();
    expect(authorize(request({}, "?secret=s3cret"), check)).toBeNull();
    const denied = authorize(request(), check)!;
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({
      error: {
        code: "unauthorized",
        message: "Missing or wrong secret (X_SECRET; send it as Authorization: Bearer <secret> or ?secret=).",
      },
    });
    const queryOnly = authorize(request({ authorization: "Bearer s3cret" }), { ...check, places: ["query"] })!;
    expect((await queryOnly.json()).error.message).toBe("Missing or wrong secret (X_SECRET; send it as ?secret=).");
  });
});

describe("failureResponse and internalError", () => {
  const outage = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

  it("logs a database outage only when asked to, with its message (or the value itself)", () => {
    const lines: string[] = [];
    const options = { log: (l: string) => lines.push(l), context: "ctx", unavailableMessage: "try later" };
    expect(failureResponse(outage, options).status).toBe(503);
    expect(lines).toEqual([]);
    expect(failureResponse(outage, { ...options, logUnavailable: true }).status).toBe(503);
    expect(failureResponse({ code: "ECONNRESET" }, { ...options, logUnavailable: true }).status).toBe(503);
    expect(lines).toEqual([
      "ctx: database unavailable: connect ECONNREFUSED 127.0.0.1:5432",
      "ctx: database unavailable: [object Object]",
    ]);
  });

  it("logs an internal error's stack", () => {
    const lines: string[] = [];
    const error = new Error("relation does not exist");
    expect(internalError((l) => lines.push(l), "ctx", error).status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ctx: internal error [^:]+: Error: relation does not exist\n\s+at /);
  });
});

describe("asApiRole", () => {
  it("refuses a role the Data API does not use", async () => {
    await expect(asApiRole(db.sql, "postgres" as ApiRole, async () => 1)).rejects.toThrow("not an API role: postgres");
  });

  it("commits what it wrote, unless asked to roll back", async () => {
    const write = (id: string, rollback: boolean) =>
      asApiRole(db.sql, "service_role", (tx) => tx`insert into voronka.team (id, name) values (${id}, ${id})`, {
        rollback,
      });
    await write("kept", false);
    await write("undone", true);
    const teams = await db.sql`select id from voronka.team where id in ('kept', 'undone')`;
    expect(teams.map((t) => t.id)).toEqual(["kept"]);
  });
});
