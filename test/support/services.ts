// Where the test servers are, and what to do when one is down: skip with a visible reason on a
// developer's machine, fail under CI. Shared by every test that talks to a real server.
import { describe, it } from 'node:test';

/** PostgreSQL URL for tests: `TESSERA_TEST_PG_URL`, default the machine's local server. */
export function pgUrl(): string {
  return process.env.TESSERA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** MySQL/MariaDB URL for tests: `TESSERA_TEST_MYSQL_URL`, default the machine's local server. */
export function mysqlUrl(): string {
  return process.env.TESSERA_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
}

/** Redis URL for tests: `TESSERA_TEST_REDIS_URL`, default the machine's local server. */
export function redisUrl(): string {
  return process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A name unique to this test run and process, made of `[a-z0-9_]` only, so it is safe as a
 * table name, schema name or key prefix: `TESSERA_TEST_RUN_ID` (set by scripts/run-tests.mjs)
 * plus the pid. `label` (e.g. `'sessions'`) goes first.
 */
export function runScopedName(label: string): string {
  const run = (process.env.TESSERA_TEST_RUN_ID ?? 'local').toLowerCase().replace(/[^a-z0-9]/g, '');
  const name = `${label}_${run}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  // 63 is PostgreSQL's identifier limit and well under MySQL's 64.
  return name.slice(0, 63);
}

/** Default time a probe may take before the service counts as unreachable, in seconds. */
export const PROBE_TIMEOUT_SECONDS = 3;

/**
 * Checks that a service answers. `probe` should connect and run a trivial command, and throw when
 * it cannot; it is given at most `timeoutSeconds`.
 *
 * Returns `undefined` when the service is up, or a skip reason (pass it as `skip` to
 * `describe`/`it` or to `runStoreConformance`) when it is not. When the `CI` environment variable
 * is set an unreachable service is a failure instead: this throws.
 */
export async function requireService(
  name: string,
  probe: () => Promise<unknown>,
  timeoutSeconds = PROBE_TIMEOUT_SECONDS,
): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutSeconds} s`)), timeoutSeconds * 1000);
  });
  try {
    await Promise.race([probe(), deadline]);
    return undefined;
  } catch (error) {
    const reason = `${name} unreachable (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.CI) throw new Error(`${reason}; CI is set, so this is a failure, not a skip`, { cause: error });
    console.warn(`# skipping: ${reason}`);
    return reason;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `describe(name, body)`, or, when `skip` gives a reason, one skipped test in its place: node:test
 * does not count the tests of a skipped suite, so a skip would not show in the run's summary.
 */
export function describeUnlessSkipped(name: string, skip: string | undefined, body: () => void): void {
  if (skip !== undefined) it(name, { skip }, () => {});
  else describe(name, body);
}
