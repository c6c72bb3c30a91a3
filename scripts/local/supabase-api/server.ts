// The gateway's handler on its own HTTP port: what `npm run api:local` and the tests start.
// (`npm start` mounts the same handler next to the functions, on one port.)
import http from "node:http";
import { createSupabaseApi, type SupabaseApi, type SupabaseApiOptions } from "./gateway.ts";
import { nodeListener } from "./node-http.ts";

export interface SupabaseApiServer extends SupabaseApi {
  url: string;
  stop(): Promise<void>;
}

export async function serveSupabaseApi(
  options: Omit<SupabaseApiOptions, "publicUrl"> & { port: number },
): Promise<SupabaseApiServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const api = createSupabaseApi({ ...options, publicUrl: url });
  const server = http.createServer(nodeListener(api.handler));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  return {
    ...api,
    url,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await api.close();
    },
  };
}
