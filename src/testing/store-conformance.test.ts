// The conformance kit itself: it loads node:test only when it has to, and registers with other
// runners (vitest, mocha, jest) through their describe/it/beforeEach/afterEach.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { MemoryStore } from '../index.js';
import type { ConformanceRunner, ConformanceTestBody, StoreConformanceOptions } from './index.js';
import { FakeClock, runStoreConformance } from './index.js';
import { storeView } from '../../test/support/store-view.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('tessera-session/testing loads node:test lazily', () => {
  it('importing it does not load node:test; registering with the default runner does', () => {
    const entry = new URL('./index.ts', import.meta.url).href;
    const script = `
      const loaded = () => process.moduleLoadList.includes('NativeModule test');
      const before = loaded();
      const kit = await import(${JSON.stringify(entry)});
      const afterImport = loaded();
      const noop = () => undefined;
      const runner = { describe: (name, body) => body(), it: noop, beforeEach: noop, afterEach: noop };
      kit.runStoreConformance('probe', { makeStore: () => { throw new Error('never made'); }, runner });
      const afterOwnRunner = loaded();
      kit.runStoreConformance('probe', { makeStore: () => { throw new Error('never made'); }, skip: 'registration probe only' });
      console.log(JSON.stringify({ before, afterImport, afterOwnRunner, afterDefault: loaded() }));
    `;
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // the child is not a test file of this run
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 30_000 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `no report in: ${child.stdout}${child.stderr}`);
    assert.deepEqual(JSON.parse(line), { before: false, afterImport: false, afterOwnRunner: false, afterDefault: true });
    assert.equal(child.status, 0, child.stderr);
  });
});

type Outcome = { title: string; status: 'pass' | 'skip' | 'fail'; error?: unknown };

/** A minimal runner in the manner of mocha: context as `this`, `this.skip()` throws. */
function fakeRunner(flavour: { itSkip?: boolean; describeSkip?: boolean; contextSkip?: 'this' | 'argument' | 'none' } = {}) {
  const tests: { title: string; body: ConformanceTestBody; skipped: boolean }[] = [];
  const suites: { name: string; skipped: boolean }[] = [];
  const before: (() => Promise<void>)[] = [];
  const after: (() => Promise<void>)[] = [];
  const pending = new Error('pending');
  const itFn = (title: string, body: ConformanceTestBody) => void tests.push({ title, body, skipped: false });
  const describeFn = (name: string, body: () => void) => (suites.push({ name, skipped: false }), body());
  const runner: ConformanceRunner = {
    describe: Object.assign(describeFn, flavour.describeSkip === false ? {} : { skip: (name: string, body: () => void) => (suites.push({ name, skipped: true }), body()) }),
    it: Object.assign(itFn, flavour.itSkip === false ? {} : { skip: (title: string, body: ConformanceTestBody) => void tests.push({ title, body, skipped: true }) }),
    beforeEach: (hook) => void before.push(hook),
    afterEach: (hook) => void after.push(hook),
  };
  async function runAll(): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const test of tests) {
      if (test.skipped || suites.some((s) => s.skipped)) {
        outcomes.push({ title: test.title, status: 'skip' });
        continue;
      }
      let status: Outcome['status'] = 'pass';
      let error: unknown;
      const skip = (): never => {
        throw pending;
      };
      try {
        for (const hook of before) await hook();
        const self = flavour.contextSkip === 'this' ? { skip } : undefined;
        const args = flavour.contextSkip === 'argument' ? [{ skip }] : [];
        await test.body.apply(self, args);
      } catch (caught) {
        if (caught === pending) status = 'skip';
        else [status, error] = ['fail', caught];
      } finally {
        for (const hook of after) await hook();
      }
      outcomes.push({ title: test.title, status, error });
    }
    return outcomes;
  }
  return { runner, tests, suites, runAll };
}


function statuses(outcomes: Outcome[]): Record<Outcome['status'], number> {
  const count = { pass: 0, skip: 0, fail: 0 };
  for (const o of outcomes) count[o.status]++;
  return count;
}

describe('runStoreConformance with another runner', () => {
  const clock = new FakeClock();
  const options = (more: Partial<StoreConformanceOptions>): StoreConformanceOptions => ({ makeStore: () => new MemoryStore({ clock }), clock, ...more });

  it('registers every case with bodies that declare no parameter, and they all pass on MemoryStore', async () => {
    const fake = fakeRunner();
    runStoreConformance('MemoryStore', options({ runner: fake.runner, requireAll: true }));
    assert.deepEqual(fake.suites, [{ name: 'MemoryStore: store conformance', skipped: false }]);
    assert.ok(fake.tests.length >= 20, `${fake.tests.length} cases`);
    assert.ok(fake.tests.every((t) => t.body.length === 0), 'a declared parameter makes mocha wait for done()');
    assert.ok(fake.tests.some((t) => t.title.startsWith('get answers with the value itself or with a promise')));
    const outcomes = await fake.runAll();
    assert.deepEqual(outcomes.filter((o) => o.status !== 'pass'), []);
  });

  it('with features, registers cases of the missing methods as skipped, with the reason in the title', async () => {
    const fake = fakeRunner();
    runStoreConformance('NoCas', options({ runner: fake.runner, makeStore: () => storeView(new MemoryStore({ clock }), ['setIf']), features: ['listByUser', 'deleteByUser', 'deleteExpired'] }));
    const skipped = fake.tests.filter((t) => t.skipped);
    assert.equal(skipped.length, 9);
    assert.ok(skipped.every((t) => t.title.endsWith(' [skipped: NoCas has no setIf()]')), skipped.map((t) => t.title).join('\n'));
    const count = statuses(await fake.runAll());
    assert.deepEqual(count, { pass: fake.tests.length - 9, skip: 9, fail: 0 });
  });

  it('with features but no it.skip, leaves those cases out', () => {
    const fake = fakeRunner({ itSkip: false });
    const all = fakeRunner();
    runStoreConformance('NoCas', options({ runner: all.runner }));
    runStoreConformance('NoCas', options({ runner: fake.runner, features: ['listByUser', 'deleteByUser', 'deleteExpired'] }));
    assert.equal(fake.tests.length, all.tests.length - 9);
  });

  it('a method listed in features that the store lacks fails its cases', async () => {
    const fake = fakeRunner();
    runStoreConformance('Liar', options({ runner: fake.runner, makeStore: () => storeView(new MemoryStore({ clock }), ['deleteExpired']), features: ['setIf', 'listByUser', 'deleteByUser', 'deleteExpired'] }));
    const failed = (await fake.runAll()).filter((o) => o.status === 'fail');
    assert.equal(failed.length, 1);
    assert.match(String(failed[0]!.error), /Liar has no deleteExpired\(\), yet features lists it/);
  });

  it('without features, skips at run time through this.skip() or the context argument', async () => {
    for (const contextSkip of ['this', 'argument'] as const) {
      const fake = fakeRunner({ contextSkip });
      runStoreConformance('NoIndex', options({ runner: fake.runner, makeStore: () => storeView(new MemoryStore({ clock }), ['listByUser', 'deleteByUser']) }));
      const count = statuses(await fake.runAll());
      assert.deepEqual(count, { pass: fake.tests.length - 5, skip: 5, fail: 0 }, contextSkip);
    }
  });

  it('without features, and with no way to skip at run time, fails saying to pass features', async () => {
    const fake = fakeRunner({ contextSkip: 'none' });
    runStoreConformance('NoSweep', options({ runner: fake.runner, makeStore: () => storeView(new MemoryStore({ clock }), ['deleteExpired']) }));
    const failed = (await fake.runAll()).filter((o) => o.status === 'fail');
    assert.equal(failed.length, 1);
    assert.match(String(failed[0]!.error), /NoSweep has no deleteExpired\(\).*pass `features`/);
  });

  it('requireAll fails the cases of a missing method', async () => {
    const fake = fakeRunner({ contextSkip: 'this' });
    runStoreConformance('Partial', options({ runner: fake.runner, requireAll: true, makeStore: () => storeView(new MemoryStore({ clock }), ['deleteExpired']) }));
    const failed = (await fake.runAll()).filter((o) => o.status === 'fail');
    assert.equal(failed.length, 1);
    assert.match(String(failed[0]!.error), /requireAll demands/);
  });

  it('skip skips the whole suite through describe.skip, or registers nothing without it', () => {
    const fake = fakeRunner();
    runStoreConformance('Down', options({ runner: fake.runner, skip: 'server unreachable' }));
    assert.deepEqual(fake.suites, [{ name: 'Down: store conformance [skipped: server unreachable]', skipped: true }]);
    const bare = fakeRunner({ describeSkip: false });
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      runStoreConformance('Down', options({ runner: bare.runner, skip: 'server unreachable' }));
    } finally {
      console.warn = warn;
    }
    assert.deepEqual([bare.suites, bare.tests], [[], []]);
  });

  it('uses the global describe/it/beforeEach/afterEach when all four exist (vitest globals, mocha, jest)', () => {
    const fake = fakeRunner();
    const names = ['describe', 'it', 'beforeEach', 'afterEach'] as const;
    const g = globalThis as Record<string, unknown>;
    for (const name of names) g[name] = fake.runner[name];
    try {
      runStoreConformance('Global', options({}));
    } finally {
      for (const name of names) delete g[name];
    }
    assert.equal(fake.suites[0]?.name, 'Global: store conformance');
    assert.ok(fake.tests.length >= 20);
  });

  it('refuses an unknown feature name', () => {
    assert.throws(() => runStoreConformance('Old', options({ runner: fakeRunner().runner, features: ['touch' as never] })), /unknown feature "touch"/);
  });
});
