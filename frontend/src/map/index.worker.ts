/// <reference lib="webworker" />
/** Builds the map's spatial index off the main thread (a second or more at a million points). */

import { boundsOf } from "./camera";
import { buildIndex } from "./spatial";

self.onmessage = (event: MessageEvent<{ xy: Float32Array }>) => {
  const xy = event.data.xy;
  const index = buildIndex(xy, boundsOf(xy));
  (self as unknown as DedicatedWorkerGlobalScope).postMessage({ xy, index }, [xy.buffer, index.starts.buffer, index.order.buffer]);
};
