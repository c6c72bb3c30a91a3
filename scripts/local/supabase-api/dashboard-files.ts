// The dashboard's static build (dashboard/dist) at `/`, as any static host would serve it, with one
// local addition: index.html gets the local project's URL and anon key in its config tag, so the
// same build needs no rebuild per port. Paths without a file extension are the app's own routes
// (index.html).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface DashboardFilesConfig {
  /** The built dashboard (vite build's outDir). */
  dir: string;
  /** What index.html's `<script id="voronka-config">` gets: "" for the URL means the page's own origin. */
  config: { supabaseUrl: string; supabaseAnonKey: string };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export const CONFIG_TAG = /<script id="voronka-config" type="application\/json">[^<]*<\/script>/;

export function createDashboardHandler(options: DashboardFilesConfig): (request: Request) => Promise<Response> {
  const root = path.resolve(options.dir);
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (!existsSync(path.join(root, "index.html"))) {
      return new Response(
        "The dashboard is not built: run `npm run build:dashboard` (npm start builds it when it is missing).\n",
        { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } },
      );
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return new Response("Bad path\n", { status: 400 });
    }
    const file = path.resolve(root, `.${pathname}`);
    const inside = file === root || file.startsWith(root + path.sep);
    if (inside && path.extname(file) && file !== path.join(root, "index.html")) {
      try {
        const body = await readFile(file);
        const immutable = pathname.startsWith("/assets/");
        return new Response(request.method === "HEAD" ? null : body, {
          headers: {
            "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
            "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
          },
        });
      } catch {
        return new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
      }
    }
    if (!inside || path.extname(file)) {
      if (file !== path.join(root, "index.html")) return new Response("Not found\n", { status: 404 });
    }
    const html = (await readFile(path.join(root, "index.html"), "utf8")).replace(
      CONFIG_TAG,
      `<script id="voronka-config" type="application/json">${JSON.stringify(options.config).replace(/</g, "\\u003c")}</script>`,
    );
    return new Response(request.method === "HEAD" ? null : html, {
      headers: { "content-type": TYPES[".html"], "cache-control": "no-cache" },
    });
  };
}
