import { createSessionManager } from '../index.js';
import type { ManagerOptions, SessionManager } from '../index.js';
import { adapterCases } from './adapter-cases.js';
import type { AdapterCaseContext } from './adapter-cases.js';
import type { ConformanceData } from './adapter-app.js';
import { ConformanceClient } from './conformance-client.js';
import { FaultyStore } from './faulty-store.js';
import { registrarFor } from './registrar.js';
import type { ConformanceRunner } from './registrar.js';

/** An app the adapter under test serves on 127.0.0.1. */
export interface RunningApp {
  /** Its origin, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Options of {@link runAdapterConformance}. */
export interface AdapterConformanceOptions {
  /**
   * Starts an app that mounts the adapter with `manager` (store mode or sealed, cookie or header
   * transport: the suite decides) and answers every request with `conformanceReply(session,
   * method, url)`, sending its status, its chunks (as separate writes when `stream` is true) and
   * `Content-Type: application/json`. Called for every case; the suite closes the app after it.
   */
  start(manager: SessionManager<ConformanceData>): Promise<RunningApp>;
  /** When set, the whole suite is skipped, visibly, with this reason (e.g. "Bun not found"). */
  skip?: string;
  /** The test runner to register with (see `runStoreConformance`); default node:test or the globals. */
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
 * Defines the tessera adapter conformance suite: one `describe` named after `name` with one `it`
 * per HTTP scenario (create, read, regenerate at login, destroy, forged cookies, a streamed
 * response, parallel requests losing nothing, a store that fails or hangs while loading and while
 * committing, the header transport), over real sockets with a cookie jar.
 *
 * ```ts
 * import { runAdapterConformance, conformanceReply } from 'tessera-session/testing';
 * runAdapterConformance('my adapter', { start: async (manager) => startMyApp(manager, conformanceReply) });
 * ```
 */
export function runAdapterConformance(name: string, options: AdapterConformanceOptions): void {
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
            const manager = createSessionManager<ConformanceData>({ secrets: SECRET, ...managerOptions } as ManagerOptions);
            const running = await options.start(manager);
            cleanups.push(() => running.close());
            const transport = clientTransport(managerOptions);
            return { client: () => new ConformanceClient(running.url, transport) };
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
