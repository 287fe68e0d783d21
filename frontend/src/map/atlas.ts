/**
 * Which thumbnail sits in which cell of the map's texture atlas. A thumbnail keeps its cell while
 * it is in view; when the atlas is full, the cell used longest ago is given to a new one.
 */

export class AtlasSlots {
  private readonly slotOf = new Map<number, number>();
  private readonly ownerOf: Int32Array;
  private readonly usedAt: Float64Array;
  private free: number[];
  private clock = 0;

  constructor(readonly capacity: number) {
    this.ownerOf = new Int32Array(capacity).fill(-1);
    this.usedAt = new Float64Array(capacity);
    this.free = Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
  }

  /** Start a frame: cells touched from now on are "in use" and never evicted this frame. */
  frame(): void {
    this.clock++;
  }

  get(id: number): number | undefined {
    const slot = this.slotOf.get(id);
    if (slot !== undefined) this.usedAt[slot] = this.clock;
    return slot;
  }

  /** A cell for ``id``: ``fresh`` when it must be filled. Null when every cell is in use now. */
  claim(id: number): { slot: number; fresh: boolean } | null {
    const known = this.get(id);
    if (known !== undefined) return { slot: known, fresh: false };
    let slot = this.free.pop();
    if (slot === undefined) {
      let oldest = -1;
      for (let s = 0; s < this.capacity; s++) {
        if (this.usedAt[s]! < this.clock && (oldest < 0 || this.usedAt[s]! < this.usedAt[oldest]!)) oldest = s;
      }
      if (oldest < 0) return null;
      slot = oldest;
      this.slotOf.delete(this.ownerOf[slot]!);
    }
    this.ownerOf[slot] = id;
    this.slotOf.set(id, slot);
    this.usedAt[slot] = this.clock;
    return { slot, fresh: true };
  }

  /** Give a cell back (its thumbnail failed to load). */
  release(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    this.ownerOf[slot] = -1;
    this.usedAt[slot] = 0;
    this.free.push(slot);
  }

  get size(): number {
    return this.slotOf.size;
  }
}
