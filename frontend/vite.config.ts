import { paraglideVitePlugin } from "@inlang/paraglide-js";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The back-end serves the built SPA from the package's static folder; `npm run dev` proxies
// the API to a running `corpuscope serve` (CORPUSCOPE_API, default http://127.0.0.1:8765).
const api = process.env.CORPUSCOPE_API ?? "http://127.0.0.1:8765";

export default defineConfig({
  plugins: [
    // the catalogues (messages/{en,fr}.json) compiled into typed message functions, src/paraglide/
    // (generated, not committed; `npm run i18n` writes it with the .d.ts files svelte-check needs)
    paraglideVitePlugin({ project: "./project.inlang", outdir: "./src/paraglide" }),
    svelte(),
  ],
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
    projects: [
      { extends: true, test: { name: "logic", include: ["src/**/*.test.ts"], exclude: ["src/**/*.svelte.test.ts"], environment: "node" } },
      {
        // tests of runes (*.svelte.test.ts): compiled for the browser with Svelte's client
        // runtime, so their effects run (see i18n/clientEnvironment.ts)
        extends: true,
        resolve: { conditions: ["browser"] },
        test: { name: "runes", include: ["src/**/*.svelte.test.ts"], environment: "./src/i18n/clientEnvironment.ts" },
      },
    ],
  },
});
