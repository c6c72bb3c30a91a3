// What every entry file (functions/<name>/index.ts) does around its handler, after its first
// statement keepServingOnUncaughtErrors: read the configuration once, and turn anything thrown
// into a 500 with a correlation id. A malformed setting (ConfigError) does not stop the function
// from booting: every request is answered 503 `not_configured` with the message, so the operator
// sees what to fix where the caller's errors are logged (amoCRM, pg_net, the landing's form service).
import { ConfigError } from "./config.ts";
import { errorResponse, type Handler, withInternalErrors } from "./http.ts";

export function serveFunction(name: string, build: () => Handler): { fetch: Handler } {
  let handler: Handler;
  try {
    handler = build();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${name}: not configured: ${error.message}`);
    const answer = `${name} is not configured: ${error.message}.`;
    handler = () => Promise.resolve(errorResponse("not_configured", answer));
  }
  return { fetch: withInternalErrors(handler, name) };
}
