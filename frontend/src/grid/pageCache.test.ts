import { describe, expect, it, vi } from "vitest";
import type { ImageOut } from "../api/types";
import { PageCache } from "./pageCache";

const source = { filter: {}, sort: { key: "id" as const } };
const other = { filter: { status: "ok" as const }, sort: {} };

function image(id: number): ImageOut {
  return { id, sha1: "x", width: 1, height: 1, format: "PNG", created_at: "", folder_id: 1, path: `${id}.png`, status: "ok" };
}

function fakeFetch() {
  return vi.fn(async (_source: unknown, offset: number, limit: number) =>
    Array.from({ length: limit }, (_, i) => image(offset + i + 1)),
  );
}

describe("PageCache", () => {
  it("loads the pages covering a range, once", async () => {
    const fetch = fakeFetch();
    const changed = vi.fn();
    const cache = new PageCache(fetch, changed, { pageSize: 10 });
    await cache.request(source, 5, 25);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(cache.get(source, 0)?.id).toBe(1);
    expect(cache.get(source, 29)?.id).toBe(30);
    expect(cache.get(source, 30)).toBeUndefined();
    await cache.request(source, 0, 30);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(changed).toHaveBeenCalledTimes(3);
  });
  it("shares a fetch in flight", async () => {
    const fetch = fakeFetch();
    const cache = new PageCache(fetch, () => {}, { pageSize: 10 });
    await Promise.all([cache.request(source, 0, 5), cache.request(source, 3, 8)]);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
  it("keeps sources apart", async () => {
    const fetch = fakeFetch();
    const cache = new PageCache(fetch, () => {}, { pageSize: 10 });
    await cache.request(source, 0, 1);
    expect(cache.get(other, 0)).toBeUndefined();
    await cache.request({ sort: { key: "id" }, filter: {} }, 0, 1); // same source, keys reordered
    expect(fetch).toHaveBeenCalledTimes(1);
  });
  it("evicts the least recently used pages", async () => {
    const fetch = fakeFetch();
    const cache = new PageCache(fetch, () => {}, { pageSize: 10, maxPages: 2 });
    await cache.request(source, 0, 1);
    await cache.request(source, 10, 11);
    await cache.request(source, 0, 1); // page 0 used again
    await cache.request(source, 20, 21); // evicts page 1
    expect(cache.size).toBe(2);
    expect(cache.get(source, 0)).toBeDefined();
    expect(cache.get(source, 10)).toBeUndefined();
  });
  it("ignores answers that arrive after a clear", async () => {
    let release!: (items: ImageOut[]) => void;
    const fetch = vi.fn(() => new Promise<ImageOut[]>((resolve) => (release = resolve)));
    const changed = vi.fn();
    const cache = new PageCache(fetch, changed, { pageSize: 10 });
    const pending = cache.request(source, 0, 1);
    cache.clear();
    release([image(1)]);
    await pending;
    expect(cache.get(source, 0)).toBeUndefined();
    expect(changed).not.toHaveBeenCalled();
  });
  it("records a failure and retries on the next request", async () => {
    const fetch = vi.fn().mockRejectedValueOnce(new Error("boom")).mockImplementation(fakeFetch());
    const cache = new PageCache(fetch, () => {}, { pageSize: 10 });
    await cache.request(source, 0, 1);
    expect(cache.get(source, 0)).toBeUndefined();
    await cache.request(source, 0, 1);
    expect(cache.get(source, 0)?.id).toBe(1);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
  it("shows stale images until fresh ones arrive", async () => {
    let calls = 0;
    const fetch = vi.fn(async (_s: unknown, offset: number) => [image(offset + 1 + 100 * calls++)]);
    const cache = new PageCache(fetch, () => {}, { pageSize: 1 });
    await cache.request(source, 0, 1);
    cache.clear(true);
    expect(cache.get(source, 0)?.id).toBe(1);
    await cache.request(source, 0, 1);
    expect(cache.get(source, 0)?.id).toBe(101);
    cache.clear();
    expect(cache.get(source, 0)).toBeUndefined();
  });
  it("keeps a page fetched elsewhere and does not ask for it again", async () => {
    const fetch = fakeFetch();
    const changed = vi.fn();
    const cache = new PageCache(fetch, changed, { pageSize: 10 });
    cache.put(source, 0, Array.from({ length: 10 }, (_, i) => image(i + 1)));
    expect(changed).toHaveBeenCalledTimes(1);
    await cache.request(source, 0, 10);
    expect(fetch).not.toHaveBeenCalled();
    expect(cache.get(source, 9)?.id).toBe(10);
    expect(cache.get(other, 0)).toBeUndefined();
  });
});
