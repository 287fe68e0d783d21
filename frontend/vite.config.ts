import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The back-end serves the built SPA from the package's static folder; `npm run dev` proxies
// the API to a running `corpuscope serve` (CORPUSCOPE_API, default http://127.0.0.1:8765).
const api = process.env.CORPUSCOPE_API ?? "http://127.0.0.1:8765";

export default defineConfig({
  plugins: [svelte()],
  base: "/",
  build: {
    outDir: "../src/corpuscope/web/static",
    emptyOutDir: true,
    target: "es2022",
    // the largest chunk is the world outline (Natural Earth 1:50m), loaded only by the map's
    // places layout
    chunkSizeWarningLimit: 800,
  },
  worker: { format: "es" },
  server: { proxy: { "/api": api, "/openapi.json": api } },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
