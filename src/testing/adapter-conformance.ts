import { createSessionManager } from '../index.js';
import type { SessionManager } from '../index.js';
import type { ConformanceData } from './adapter-app.js';
import { runAdapterConformanceWith } from './adapter-conformance-with.js';
import type { RunningApp } from './adapter-conformance-with.js';
import type { ConformanceRunner } from './registrar.js';


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
  runAdapterConformanceWith(name, {
    startWith: (managerOptions) => options.start(createSessionManager<ConformanceData>(managerOptions)),
    ...(options.skip === undefined ? {} : { skip: options.skip }),
    ...(options.runner === undefined ? {} : { runner: options.runner }),
  });
}
