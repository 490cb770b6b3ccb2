/** The source of time for everything tessera decides. Inject a fake one in tests. */
export interface Clock {
  /** Current time as epoch milliseconds. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
