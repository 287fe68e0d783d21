/**
 * How fast the grid scrolls, so that a fling does not fetch what it only flies past.
 *
 * A fling at 400 px a frame passes a row of thumbnails in a third of a frame: fetching them
 * (one request each, served on the same cores as the page) and decoding them cost more than the
 * frames themselves, for pictures nobody sees. While the scroll is fast, the grid shows the
 * cells' placeholders and asks for neither pages nor thumbnails; once it slows down or stops,
 * it fetches what is in view, as photo applications do.
 */

export interface PaceOptions {
  /** Speed, in screen heights per second, above which a scroll counts as fast. */
  fast: number;
  /** A fast scroll slows down to a normal one below ``fast * slow`` (no flicker at the line). */
  slow: number;
  /** Milliseconds without a scroll after which a fast scroll counts as stopped. */
  settle: number;
}

/** Reading pace (40 px a frame at 60 frames/s on a 900-px grid: 2.7 screens/s) stays below. */
export const PACE: PaceOptions = { fast: 4, slow: 0.5, settle: 150 };

export class ScrollPace {
  private top: number | null = null;
  private time = 0;
  fast = false;

  constructor(private readonly options: PaceOptions = PACE) {}

  /** Record the scroll position ``top`` at ``now`` (ms) in a grid ``height`` px tall. */
  move(top: number, height: number, now: number): boolean {
    if (this.top !== null) {
      const elapsed = Math.max(now - this.time, 1);
      const screens = (Math.abs(top - this.top) / Math.max(height, 1)) * (1000 / elapsed);
      this.fast = screens > this.options.fast * (this.fast ? this.options.slow : 1);
    }
    this.top = top;
    this.time = now;
    return this.fast;
  }

  /** No scroll for ``options.settle`` ms: whatever is in view may load. */
  stop(): void {
    this.fast = false;
  }

  get settle(): number {
    return this.options.settle;
  }
}

/**
 * Ids whose thumbnails the grid asked for lately (the browser holds them): a fast scroll keeps
 * showing those instead of blanking the cells that were already loaded. Bounded, oldest first out.
 */
export class RecentIds {
  private readonly ids = new Set<number>();

  constructor(private readonly capacity = 2048) {}

  has(id: number): boolean {
    return this.ids.has(id);
  }

  add(id: number): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}

/**
 * The thumbnail to show for ``id`` now: its address, or null (the placeholder) when the grid
 * scrolls fast and the picture was not asked for before.
 */
export function thumbnailFor(id: number, url: string, fast: boolean, recent: RecentIds): string | null {
  if (fast && !recent.has(id)) return null;
  recent.add(id);
  return url;
}
