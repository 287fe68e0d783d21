/**
 * Loads thumbnails for the map's atlas: a few at a time, the ones in view first, each fitted
 * into a 64x64 cell (letterboxed, transparent around) before it goes to the GPU.
 */

import { CELL } from "./renderer";

export class ThumbLoader {
  private wanted: number[] = [];
  private inFlight = 0;
  private readonly failed = new Set<number>();

  constructor(
    private readonly url: (id: number) => string,
    private readonly ready: (id: number, image: ImageBitmap | OffscreenCanvas | HTMLCanvasElement) => void,
    private readonly give: (id: number) => void,
    private readonly concurrency = 8,
  ) {}

  /** The ids to load now, most wanted first (replaces the previous wish list). */
  want(ids: number[]): void {
    this.wanted = ids.filter((id) => !this.failed.has(id));
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.wanted.length) {
      const id = this.wanted.shift()!;
      this.inFlight++;
      void this.load(id).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async load(id: number): Promise<void> {
    try {
      const response = await fetch(this.url(id));
      if (!response.ok) throw new Error(String(response.status));
      const bitmap = await createImageBitmap(await response.blob());
      const canvas = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(CELL, CELL) : document.createElement("canvas");
      canvas.width = CELL;
      canvas.height = CELL;
      const context = canvas.getContext("2d") as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;
      const ratio = Math.min(CELL / bitmap.width, CELL / bitmap.height);
      const width = bitmap.width * ratio;
      const height = bitmap.height * ratio;
      context.drawImage(bitmap, (CELL - width) / 2, (CELL - height) / 2, width, height);
      bitmap.close();
      this.ready(id, canvas);
    } catch {
      this.failed.add(id);
      this.give(id);
    }
  }
}
