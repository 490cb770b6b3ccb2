// How the conformance suites (stores, adapters) register their cases with a test runner.
import { createRequire } from 'node:module';

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

/** How cases get registered: node:test takes skip reasons as options, other runners through `.skip`. */
export interface Registrar {
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

export function registrarFor(runner: ConformanceRunner | undefined): Registrar {
  if (runner !== undefined) return genericRegistrar(runner);
  const g = globalThis as Partial<ConformanceRunner>;
  if (typeof g.describe === 'function' && typeof g.it === 'function' && typeof g.beforeEach === 'function' && typeof g.afterEach === 'function') {
    return genericRegistrar({ describe: g.describe, it: g.it, beforeEach: g.beforeEach, afterEach: g.afterEach });
  }
  return nodeTestRegistrar();
}

