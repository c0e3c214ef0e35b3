/**
 * Results of a pure function kept by a string key that holds every input (issue 14). Sweeps meet the same
 * inputs again and again: a live board presents the same best prices sweep after sweep until a market
 * changes, and the exact arithmetic over them (decimal.js, rationals, SHA-256) would otherwise be redone and
 * its garbage collected every time. Bounded: past `capacity` keys it starts over, which costs one sweep's
 * recomputation and never a wrong answer (an LRU would keep more, for more work on every hit).
 */
export class Memo<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  set(key: string, value: V): V {
    if (this.values.size >= this.capacity) this.values.clear();
    this.values.set(key, value);
    return value;
  }
}
