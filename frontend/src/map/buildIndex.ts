/** The spatial index of the map's points, built in a worker (in place when workers are missing). */

import { m } from "../i18n";
import { boundsOf } from "./camera";
import type { GridIndex } from "./spatial";
import { buildIndex } from "./spatial";

export function buildIndexAsync(xy: Float32Array): Promise<GridIndex> {
  if (typeof Worker === "undefined") return Promise.resolve(buildIndex(xy, boundsOf(xy)));
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./index.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<{ xy: Float32Array; index: GridIndex }>) => {
      resolve(event.data.index);
      worker.terminate();
    };
    worker.onerror = (error) => {
      worker.terminate();
      reject(new Error(error.message || m.map_index_failed()));
    };
    worker.postMessage({ xy: xy.slice() }, []); // a copy: the caller keeps its array
  });
}
