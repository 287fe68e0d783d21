/**
 * Selecting items of a fully loaded list (tags, duplicate groups, similar images): click selects
 * one, ctrl/cmd toggles, shift selects the range from the anchor in the list's order.
 */

export interface ListSelection<K> {
  keys: ReadonlySet<K>;
  anchor: K | null;
}

export function emptyList<K>(): ListSelection<K> {
  return { keys: new Set(), anchor: null };
}

export function clickList<K>(
  state: ListSelection<K>,
  order: readonly K[],
  key: K,
  mods: { shift: boolean; toggle: boolean },
): ListSelection<K> {
  if (mods.shift && state.anchor !== null && order.includes(state.anchor)) {
    const a = order.indexOf(state.anchor);
    const b = order.indexOf(key);
    if (b >= 0) {
      const [from, to] = a <= b ? [a, b] : [b, a];
      const keys = new Set(mods.toggle ? state.keys : []);
      for (let i = from; i <= to; i++) keys.add(order[i]!);
      return { keys, anchor: state.anchor };
    }
  }
  if (mods.toggle) {
    const keys = new Set(state.keys);
    if (keys.has(key)) keys.delete(key);
    else keys.add(key);
    return { keys, anchor: key };
  }
  return { keys: new Set([key]), anchor: key };
}
