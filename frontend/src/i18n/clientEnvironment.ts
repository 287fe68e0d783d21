/**
 * A vitest environment for tests of runes: Node, with modules compiled as for the browser, so
 * Svelte's client runtime runs their effects (the default compiles for the server, where effects
 * never run). Test files named `*.svelte.test.ts` run in it (the "runes" project of vite.config.ts).
 */
import type { Environment } from "vitest/environments";

const clientEnvironment: Environment = {
  name: "svelte-client",
  viteEnvironment: "client",
  setup: () => ({ teardown: () => undefined }),
};

export default clientEnvironment;
