/**
 * Images of each section, fetched page by page as they scroll into view. Pages are keyed by
 * the section's source (filter + sort), so two sections showing the same images share pages.
 * At most ``maxPages`` pages are kept; the least recently used go first.
 */

import type { ImageOut } from "../api/types";
import type { Source } from "./sections";
import { sourceKey } from "./sections";

export type FetchPage = (source: Source, offset: number, limit: number) => Promise<ImageOut[]>;

interface Page {
  items: ImageOut[] | null;
  promise: Promise<void> | null;
}

export class PageCache {
  private readonly pages = new Map<string, Page>();
  /** Pages from before the last ``clear()``, shown until fresh ones replace them (no flicker). */
  private stale = new Map<string, Page>();
  private generation = 0;

  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly onChange: () => void,
    options: { pageSize?: number; maxPages?: number; onError?: (error: unknown) => void } = {},
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = options.maxPages ?? 400;
    this.onError = options.onError ?? (() => {});
  }

  private pageKey(source: Source, page: number): string {
    return `${sourceKey(source)}#${page}`;
  }

  /** The image at ``index`` of ``source`` if its page is loaded. */
  get(source: Source, index: number): ImageOut | undefined {
    const page = Math.floor(index / this.pageSize);
    const key = this.pageKey(source, page);
    const items = this.pages.get(key)?.items ?? this.stale.get(key)?.items;
    return items?.[index - page * this.pageSize];
  }

  /**
   * Keep page ``page`` of ``source``, fetched by someone else (the view's first request brings
   * the first page with its total, so the grid does not ask for it a second time).
   */
  put(source: Source, page: number, items: ImageOut[]): void {
    this.pages.set(this.pageKey(source, page), { items, promise: null });
    this.evict();
    this.onChange();
  }

  /** Make sure images ``[start, end)`` of ``source`` are loaded or on their way. */
  request(source: Source, start: number, end: number): Promise<void> {
    const first = Math.floor(start / this.pageSize);
    const last = Math.floor(Math.max(start, end - 1) / this.pageSize);
    const waits: Promise<void>[] = [];
    for (let page = first; page <= last; page++) waits.push(this.load(source, page));
    return Promise.all(waits).then(() => undefined);
  }

  private load(source: Source, page: number): Promise<void> {
    const key = this.pageKey(source, page);
    const found = this.pages.get(key);
    if (found) {
      this.pages.delete(key); // refresh its place in the LRU order
      this.pages.set(key, found);
      if (found.items) return Promise.resolve();
      if (found.promise) return found.promise;
    }
    const generation = this.generation;
    const entry: Page = { items: null, promise: null };
    entry.promise = this.fetchPage(source, page * this.pageSize, this.pageSize).then(
      (items) => {
        if (generation !== this.generation) return;
        entry.items = items;
        entry.promise = null;
        this.onChange();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.pages.delete(key); // retried when asked again
        this.onError(error);
      },
    );
    this.pages.set(key, entry);
    this.evict();
    return entry.promise;
  }

  private evict(): void {
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value;
      if (oldest === undefined) break;
      this.pages.delete(oldest);
    }
  }

  /**
   * Forget everything (after a change on the server); fetches in flight are ignored. With
   * ``keepStale`` the old images stay visible until their pages are fetched again.
   */
  clear(keepStale = false): void {
    this.generation++;
    this.stale = keepStale ? new Map([...this.pages].filter(([, page]) => page.items)) : new Map();
    this.pages.clear();
  }

  get size(): number {
    return this.pages.size;
  }
}
