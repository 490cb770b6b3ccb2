import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionStore } from '../index.js';
import { closeCases, readWriteCases, robustnessCases } from './conformance-basic-cases.js';
import type { CaseContext, ConformanceCase, StoreFeature } from './conformance-case.js';
import { compareAndSetCases, concurrentSetIfCases, userIndexCases } from './conformance-index-cases.js';
import type { FakeClock } from './fake-clock.js';

export type { StoreFeature } from './conformance-case.js';

/**
 * A test body as the suite registers it. It declares no parameter, so no runner takes it for a
 * callback-style test (mocha would wait for `done`); it reads the runner's context, when there is
 * one, from its first argument (node:test, vitest) or from `this` (mocha).
 */
export type ConformanceTestBody = (this: unknown, ...args: unknown[]) => Promise<void>;

/**
 * The functions of a test runner the suite registers its cases with. vitest's, mocha's and
 * jest's `describe`, `it`, `beforeEach` and `afterEach` fit as they are (so do node:test's).
 */
export interface ConformanceRunner {
  /** Registers a group of cases. */
  describe: {
    (name: string, body: () => void): unknown;
    /** Registers a group that is skipped. */
    skip?: (name: string, body: () => void) => unknown;
  };
  /** Registers one case. */
  it: {
    (name: string, body: ConformanceTestBody): unknown;
    /** Registers a case that is skipped. */
    skip?: (name: string, body: ConformanceTestBody) => unknown;
  };
  /** Runs `hook` before each case of the current group. */
  beforeEach: (hook: () => Promise<void>) => unknown;
  /** Runs `hook` after each case of the current group. */
  afterEach: (hook: () => Promise<void>) => unknown;
}

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * Makes the store under test. Called before every case (and twice in the `close()` case), so it
   * must return a new store object each time; the objects may share one backend (one client, one
   * table, one key prefix): every case writes keys and user IDs unique to this suite run and to
   * the case, so records of other cases never get in the way. The store made for a case is
   * closed after it.
   */
  makeStore: () => Promise<SessionStore> | SessionStore;
  /**
   * The clock the store was given, when it takes one. Expiry cases then move it forward instead
   * of waiting. Without it, expiry cases use real time: records that expire about 250 ms after
   * being written, and polling bounded by a 3 s deadline.
   */
  clock?: FakeClock;
  /** When set, the whole suite is skipped, visibly, with this reason (e.g. "PostgreSQL unreachable"). */
  skip?: string;
  /**
   * When true, a store that lacks one of the optional methods (`setIf`, `listByUser`,
   * `deleteByUser`, `deleteExpired`) fails the cases that need it. When false (the default),
   * those cases are skipped with a reason. tessera's own stores run with `true`.
   */
  requireAll?: boolean;
  /**
   * The optional methods the store has. When given (and `requireAll` is not), the cases that need
   * another one are registered as skipped (with the runner's `it.skip`; not at all when it has
   * none), and a case that needs a listed method the store lacks fails. When absent, the suite
   * looks at each store it makes and skips at run time, which node:test, vitest and mocha can do
   * but jest cannot: under jest, give `features`.
   */
  features?: readonly StoreFeature[];
  /**
   * The test runner to register with: pass vitest's or mocha's functions, e.g.
   * `runner: { describe, it, beforeEach, afterEach }` imported from `vitest`. Default: the global
   * `describe`, `it`, `beforeEach` and `afterEach` when all four exist (vitest with `globals`,
   * mocha, jest), otherwise `node:test`, loaded only when this function runs.
   */
  runner?: ConformanceRunner;
}

const HOUR_MS = 3_600_000;
const REAL_SHORT_TTL_MS = 250;
const FAKE_SHORT_TTL_MS = 10_000;
const POLL_DEADLINE_MS = 3_000;
const ALL_FEATURES: readonly StoreFeature[] = ['setIf', 'listByUser', 'deleteByUser', 'deleteExpired'];
const CASES: readonly ConformanceCase[] = [
  ...readWriteCases,
  ...compareAndSetCases,
  ...userIndexCases,
  ...robustnessCases,
  ...concurrentSetIfCases,
  ...closeCases,
];

/** How cases get registered: node:test takes skip reasons as options, other runners through `.skip`. */
interface Registrar {
  suite(name: string, skip: string | undefined, body: () => void): void;
  test(title: string, skip: string | undefined, body: ConformanceTestBody): void;
  beforeEach(hook: () => Promise<void>): void;
  afterEach(hook: () => Promise<void>): void;
}

interface NodeTest {
  describe(name: string, options: { skip?: string | boolean }, body: () => void): unknown;
  it(name: string, options: { skip?: string | boolean }, body: ConformanceTestBody): unknown;
  beforeEach(hook: () => Promise<void>): unknown;
  afterEach(hook: () => Promise<void>): unknown;
}

function nodeTestRegistrar(): Registrar {
  // Loaded here, not at the top: importing `tessera-session/testing` must not load node:test.
  const t = createRequire(import.meta.url)('node:test') as NodeTest;
  // node:test does not count the tests of a skipped suite: its cases are registered as skipped instead.
  let suiteSkip: string | undefined;
  return {
    suite: (name, skip, body) =>
      void t.describe(name, {}, () => {
        suiteSkip = skip;
        try {
          body();
        } finally {
          suiteSkip = undefined;
        }
      }),
    test: (title, skip, body) => {
      const reason = skip ?? suiteSkip;
      void t.it(title, reason === undefined ? {} : { skip: reason }, body);
    },
    beforeEach: (hook) => void t.beforeEach(hook),
    afterEach: (hook) => void t.afterEach(hook),
  };
}

function genericRegistrar(r: ConformanceRunner): Registrar {
  const skipped = (what: string, reason: string): void => console.warn(`# skipping ${what}: ${reason}`);
  return {
    suite: (name, skip, body) => {
      if (skip === undefined) void r.describe(name, body);
      else if (typeof r.describe.skip === 'function') void r.describe.skip(`${name} [skipped: ${skip}]`, body);
      else skipped(name, skip);
    },
    test: (title, skip, body) => {
      if (skip === undefined) void r.it(title, body);
      else if (typeof r.it.skip === 'function') void r.it.skip(`${title} [skipped: ${skip}]`, body);
      else skipped(title, skip);
    },
    beforeEach: (hook) => void r.beforeEach(hook),
    afterEach: (hook) => void r.afterEach(hook),
  };
}

function registrarFor(runner: ConformanceRunner | undefined): Registrar {
  if (runner !== undefined) return genericRegistrar(runner);
  const g = globalThis as Partial<ConformanceRunner>;
  if (typeof g.describe === 'function' && typeof g.it === 'function' && typeof g.beforeEach === 'function' && typeof g.afterEach === 'function') {
    return genericRegistrar({ describe: g.describe, it: g.it, beforeEach: g.beforeEach, afterEach: g.afterEach });
  }
  return nodeTestRegistrar();
}

/** Skips the running case: node:test's and vitest's context (first argument), mocha's (`this`). */
function skipNow(self: unknown, args: unknown[], reason: string): void {
  const context = args[0] as { skip?: unknown } | undefined;
  if (typeof context?.skip === 'function') {
    (context as { skip(message?: string): void }).skip(reason);
    return;
  }
  if (typeof (self as { skip?: unknown } | undefined)?.skip === 'function') {
    (self as { skip(): void }).skip();
    return;
  }
  throw new Error(`${reason}, and this test runner cannot skip a case while it runs: pass \`features\` to runStoreConformance, so that it skips the case when registering it`);
}

/**
 * Defines the tessera store conformance suite: one `describe` named after `name` holding one `it`
 * per rule of the {@link SessionStore} contract (reads, synchronous or promised `get`, writes,
 * expiry, compare-and-set, the per-user index, housekeeping, unusual keys and values, 1 MB
 * values, concurrency, close). Run it against the real backend, from a test file:
 *
 * ```ts
 * import { runStoreConformance, FakeClock } from 'tessera-session/testing';
 * const clock = new FakeClock();
 * runStoreConformance('MyStore', { makeStore: () => new MyStore(client, { clock }), clock, requireAll: true });
 * ```
 *
 * With node:test nothing more is needed; with vitest (without `globals`) pass its functions as
 * `runner`. Cases that need an optional method the store lacks are skipped, or fail with `requireAll`.
 */
export function runStoreConformance(name: string, options: StoreConformanceOptions): void {
  const { makeStore, clock, requireAll = false, features } = options;
  for (const feature of features ?? []) {
    if (!ALL_FEATURES.includes(feature)) throw new TypeError(`runStoreConformance: unknown feature ${JSON.stringify(feature)}; features are ${ALL_FEATURES.join(', ')}`);
  }
  const registrar = registrarFor(options.runner);
  // Keys and user IDs of this run: base64url, so '-' and '_' are exercised on every key.
  const run = randomBytes(9).toString('base64url');
  let caseNumber = 0;
  let store: SessionStore | undefined;

  const now = (): number => (clock ? clock.now() : Date.now());
  const context = (current: SessionStore): CaseContext => ({
    store: current,
    makeStore: async () => makeStore(),
    clock,
    now,
    later: () => now() + HOUR_MS,
    soon: () => now() + (clock ? FAKE_SHORT_TTL_MS : REAL_SHORT_TTL_MS),
    async passBeyond(at) {
      if (clock) {
        clock.set(Math.max(clock.now(), at + 1));
        return;
      }
      const wait = at - Date.now() + 5;
      if (wait > 0) await sleep(Math.min(wait, POLL_DEADLINE_MS));
    },
    prefix: () => `${run}-c${caseNumber}`,
  });

  function register(c: ConformanceCase): void {
    const needs = c.needs ?? [];
    const undeclared = requireAll || features === undefined ? [] : needs.filter((f) => !features.includes(f));
    const skip = undeclared.length === 0 ? undefined : `${name} has no ${undeclared.join('(), no ')}()`;
    registrar.test(c.title, skip, async function (this: unknown, ...args: unknown[]) {
      const current = store;
      if (current === undefined) throw new Error('no store for this case: the suite’s beforeEach did not run');
      const missing = needs.filter((f) => typeof current[f] !== 'function');
      if (missing.length > 0) {
        const lack = `${name} has no ${missing.join('(), no ')}()`;
        if (requireAll) assert.fail(`${lack}, which requireAll demands`);
        if (features !== undefined) assert.fail(`${lack}, yet features lists it`);
        return skipNow(this, args, lack);
      }
      await c.run(context(current));
    });
  }

  registrar.suite(`${name}: store conformance`, options.skip ? options.skip : undefined, () => {
    registrar.beforeEach(async () => {
      caseNumber++;
      store = await makeStore();
    });
    registrar.afterEach(async () => {
      const current = store;
      store = undefined;
      await current?.close?.();
    });
    for (const c of CASES) register(c);
  });
}
