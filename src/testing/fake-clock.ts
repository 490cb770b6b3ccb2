import type { Clock } from '../index.js';

/** A clock that moves only when told to, for deterministic expiry tests. */
export class FakeClock implements Clock {
  #now: number;

  constructor(startAt = Date.UTC(2026, 0, 1)) {
    this.#now = startAt;
  }

  now = (): number => this.#now;

  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    this.#now += seconds * 1000;
  }

  /** Sets the time to `at` (epoch ms). */
  set(at: number): void {
    this.#now = at;
  }
}
