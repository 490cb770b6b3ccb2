// Raw store throughput: set, get and setIf (compare-and-set) on each tessera store, without HTTP.
// Every loop is bounded by an operation count and by time. Prints a Markdown table.
import { fmt, table } from './lib/stats.js';
import { STORE_NAMES, openStore } from './lib/stores.js';
import type { StoreName } from './lib/stores.js';
import type { SessionStore } from '../src/core/index.js';

const quick = process.argv.includes('--quick');
const MAX_OPS = quick ? 5_000 : 50_000;
const MAX_MS = quick ? 500 : 4_000;
const IN_FLIGHT = 32;

const value = (i: number): string =>
  JSON.stringify({ v: 1, createdAt: Date.now(), lastSeenAt: Date.now(), persistent: false, data: { userId: `user-${i}`, name: 'Ada Lovelace', roles: ['member', 'editor'], hits: i } });

/** Runs `op(i)` for i = 0, 1, ... with `inFlight` calls at a time until `MAX_OPS` or `MAX_MS`; returns ops/s. */
async function loop(op: (i: number) => Promise<unknown>, inFlight: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < MAX_OPS && performance.now() - start < MAX_MS) await op(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return next / ((performance.now() - start) / 1000);
}

async function measure(store: SessionStore): Promise<string[]> {
  const expiresAt = Date.now() + 3_600_000;
  const keys = Array.from({ length: MAX_OPS }, (_, i) => `bench-key-${i.toString(36).padStart(8, '0')}-${'k'.repeat(24)}`);
  const set = await loop((i) => store.set(keys[i]!, value(i), expiresAt, { userId: `user-${i}` }), IN_FLIGHT);
  const get = await loop(async (i) => store.get(keys[i % keys.length]!), IN_FLIGHT);
  const sequentialGet = await loop(async (i) => store.get(keys[i % keys.length]!), 1);
  const setIf = store.setIf
    ? await loop((i) => store.setIf!(`cas-${keys[i]!}`, value(i), expiresAt, undefined, { userId: `user-${i}` }), IN_FLIGHT)
    : NaN;
  return [fmt(set), fmt(get), fmt(setIf), fmt(1e6 / sequentialGet, 1)];
}

const rows: string[][] = [];
for (const name of STORE_NAMES) {
  let opened;
  try {
    opened = await openStore(name as StoreName, `ops_${process.pid}`);
  } catch (error) {
    rows.push([name, `unavailable: ${(error as Error).message}`, '', '', '']);
    continue;
  }
  try {
    rows.push([name, ...(await measure(opened.store))]);
  } finally {
    await opened.store.close?.();
    await opened.cleanup();
  }
}
console.log(
  `Store calls straight on the store object (no HTTP, no manager), ${IN_FLIGHT} calls in flight, each loop bounded by ${MAX_OPS.toLocaleString('en-US')} calls and ${MAX_MS / 1000} s. ` +
    'setIf here creates new records (previous = undefined), the S3 path.\n',
);
console.log(table(['store', 'set ops/s', 'get ops/s', 'setIf (create) ops/s', 'get µs, one at a time'], rows));
