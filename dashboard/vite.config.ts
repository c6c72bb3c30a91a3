// The dashboard's build: React + TypeScript to static files in dashboard/dist (`npm run build:dashboard`).
// Relative asset paths and hash routes, so the files work from any folder of any static host.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  // One chunk: React + supabase-js + the pages are ~450 kB minified, ~130 kB gzip (npm run bench:dashboard).
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 600 },
  envPrefix: "VITE_",
});
