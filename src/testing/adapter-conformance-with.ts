// The adapter conformance suite for an app whose manager lives elsewhere (another runtime, another
// process): the app is started from the manager's options instead of a manager.
import type { ManagerOptions } from '../index.js';
import { adapterCases } from './adapter-cases.js';
import type { AdapterCaseContext } from './adapter-cases.js';
import { ConformanceClient } from './conformance-client.js';
import { FaultyStore } from './faulty-store.js';
import { registrarFor } from './registrar.js';
import type { ConformanceRunner } from './registrar.js';

/** An app the adapter under test serves on 127.0.0.1. */
export interface RunningApp {
  /** Its origin, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** Stops the app (the suite calls it after each case). */
  close(): Promise<void>;
}

/** Options of {@link runAdapterConformanceWith}. */
export interface AdapterConformanceWithOptions {
  /**
   * Starts an app that builds its manager with `createSessionManager(options)` (where it runs:
   * a Bun or Deno process, a worker) and serves `conformanceReply` as `runAdapterConformance`
   * describes. `options` are plain data (secrets, mode, transport, storeTimeout) except `store`,
   * when a case gives one: a live `SessionStore` in this process (a `FaultyStore` the case
   * switches), which the app must reach from where it runs (e.g. over a small HTTP bridge).
   */
  startWith(options: ManagerOptions): Promise<RunningApp>;
  /** When set, the whole suite is skipped, visibly, with this reason (e.g. "Bun not found"). */
  skip?: string;
  /** The test runner to register with; default node:test or the globals. */
  runner?: ConformanceRunner;
}

const SECRET = 'tessera adapter conformance suite secret 0123456789';

/** The header names the client uses for a manager's transport option. */
function clientTransport(options: Partial<ManagerOptions>): { request: string; response: string } | undefined {
  const transport = options.transport;
  if (transport === undefined || transport === 'cookie') return undefined;
  return { request: (transport.header.request ?? 'authorization').toLowerCase(), response: (transport.header.response ?? 'session-token').toLowerCase() };
}

/**
 * The adapter conformance suite (the same cases as `runAdapterConformance`) for an adapter whose
 * manager cannot be handed over as an object: each case's app is started from the manager's
 * options. Used for the Fetch adapter on Bun and Deno.
 */
export function runAdapterConformanceWith(name: string, options: AdapterConformanceWithOptions): void {
  const registrar = registrarFor(options.runner);
  let cleanups: Array<() => Promise<void>> = [];
  registrar.suite(`${name}: adapter conformance`, options.skip, () => {
    registrar.afterEach(async () => {
      const pending = cleanups;
      cleanups = [];
      for (const cleanup of pending.reverse()) await cleanup();
    });
    for (const testCase of adapterCases) {
      registrar.test(testCase.title, undefined, async () => {
        const context: AdapterCaseContext = {
          async app(managerOptions = {}) {
            const running = await options.startWith({ secrets: SECRET, ...managerOptions } as ManagerOptions);
            cleanups.push(() => running.close());
            return { client: () => new ConformanceClient(running.url, clientTransport(managerOptions)) };
          },
          faulty() {
            const store = new FaultyStore();
            cleanups.push(() => store.close());
            return store;
          },
        };
        await testCase.run(context);
      });
    }
  });
}
