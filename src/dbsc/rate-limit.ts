/** Per-key fixed-window counters, in memory, bounded: the oldest keys go first when it is full. */
export interface RateLimiter {
  /** Counts one hit of `key` at `now`; false when the key is over its limit in this window. */
  hit(key: string, now: number): boolean;
}

export function createRateLimiter(max: number, windowMs: number, maxKeys: number): RateLimiter {
  const windows = new Map<string, { startedAt: number; count: number }>();
  return {
    hit(key, now) {
      let entry = windows.get(key);
      if (entry === undefined || now - entry.startedAt >= windowMs) {
        windows.delete(key);
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
        entry = { startedAt: now, count: 0 };
        windows.set(key, entry);
      }
      entry.count++;
      return entry.count <= max;
    },
  };
}
