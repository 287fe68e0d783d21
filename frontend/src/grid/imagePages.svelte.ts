/** A PageCache whose changes Svelte can see (``version`` moves whenever a page arrives). */

import type { ProjectApi } from "../api/client";
import { showError } from "../lib/toasts.svelte";
import { PageCache } from "./pageCache";

export class ImagePages {
  version = $state(0);
  readonly cache: PageCache;

  constructor(api: ProjectApi, properties: () => number[] = () => []) {
    this.cache = new PageCache(
      async (source, offset, limit) => {
        // the sections know their counts: a page need not count the matches again
        const page = await api.queryImages({ filter: source.filter, sort: source.sort, offset, limit, properties: properties(), total: false });
        return page.items;
      },
      () => this.version++,
      { onError: showError },
    );
  }

  reset(keepStale = true): void {
    this.cache.clear(keepStale);
    this.version++;
  }
}
