// The shape of one case of the store conformance suite, shared by the case lists and the runner.
import type { SessionStore } from '../index.js';
import type { FakeClock } from './fake-clock.js';

/** The optional methods of `SessionStore` that the suite detects on the store object. */
export type StoreFeature = 'setIf' | 'listByUser' | 'deleteByUser' | 'deleteExpired';

/** What a case works with: the store made for it, and time and key helpers of the suite run. */
export interface CaseContext {
  /** The store made for this case; closed after it. */
  readonly store: SessionStore;
  /** Makes another store, as the suite's `makeStore` does (the `close()` case needs two). */
  makeStore(): Promise<SessionStore>;
  /** The suite's fake clock, when it was given one. */
  readonly clock: FakeClock | undefined;
  /** Now, by the store's clock (epoch ms). */
  now(): number;
  /** An expiry an hour from now. */
  later(): number;
  /** An expiry that `passBeyond` can reach quickly: 10 s ahead on a fake clock, 250 ms on the real one. */
  soon(): number;
  /** Moves time (fake or real) until `at` has passed. */
  passBeyond(at: number): Promise<void>;
  /** A key prefix unique to this suite run and case. */
  prefix(): string;
}

/** One rule of the contract, checked against a fresh store. */
export interface ConformanceCase {
  readonly title: string;
  /** The optional methods the case calls; it is skipped (or fails, under `requireAll`) without them. */
  readonly needs?: readonly StoreFeature[];
  run(c: CaseContext): Promise<void>;
}

/** Whether a store's answer is a promise (or any thenable), without assuming it has a `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
