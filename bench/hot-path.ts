// Micro-timings of the pieces of tessera's read path (no HTTP), to say what a request pays for:
// cookie parse, HMAC verify, store-key hash, store call (synchronous, and through the timeout
// every asynchronous store gets), record decode, a whole protocol.load(), and the prepare() a
// pure read ends with (the adapter protocol of tessera-session/adapter).
//   node --import tsx bench/hot-path.ts        (or the compiled copy, see lib/build.ts)
import { createSessionManager, hashStoreKey, MemoryStore } from '../src/index.js';
import { findCookieValues, sessionProtocol } from '../src/adapter/index.js';
import { createKeyring } from '../src/core/crypto/keyring.js';
import { createIdSigner } from '../src/core/crypto/signer.js';
import { createStoreCaller } from '../src/core/store-caller.js';
import { decodeRecord } from '../src/core/store-mode/record.js';
import { fmt, table } from './lib/stats.js';
import { SECRET, loginData } from './servers/harness.js';

const quick = process.argv.includes('--quick');
const ITERATIONS = quick ? 5_000 : 20_000;
const MAX_MS = quick ? 500 : 3_000;
/** Enough calls for the optimising compiler to finish (its threads count in cpuUsage too). */
const WARMUP = quick ? 2_000 : 10_000;

/** Mean CPU µs per call of `op`, bounded by `ITERATIONS` calls and `MAX_MS`, after a warm-up. */
async function time(op: () => unknown): Promise<number> {
  // Only promises are awaited: an `await` per call would cost more than a synchronous step.
  for (let i = 0; i < WARMUP; i++) {
    const result = op();
    if (result instanceof Promise) await result;
  }
  const start = performance.now();
  const cpu = process.cpuUsage();
  let n = 0;
  // The time bound is checked every 256 calls: reading the clock costs about as much as a small step.
  while (n < ITERATIONS && ((n & 255) !== 0 || performance.now() - start < MAX_MS)) {
    const result = op();
    if (result instanceof Promise) await result;
    n++;
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / n;
}

const store = new MemoryStore();
const manager = createSessionManager({ secrets: SECRET, cookie: { secure: false }, store });
const created = await manager.load(undefined);
for (const [key, value] of Object.entries(loginData(1))) created.set(key, value);
const { setCookie } = await manager.commit(created);
const header = `_ga=GA1.2.3; ${setCookie[0]!.split(';')[0]!}; theme=dark`;
const signed = findCookieValues(header, manager.cookieName)[0]!;
const signer = createIdSigner(createKeyring(SECRET));
const id = created.id;
const key = hashStoreKey(id);
const text = (await store.get(key))!;
const untimed = createStoreCaller(store, 0);
const timed = createStoreCaller(store, 1000);
const loaded = await manager.load(header);
const protocol = sessionProtocol(manager);

const rows: Array<[string, number]> = [
  ['(the timing loop itself, an empty call: included in every row)', await time(() => undefined)],
  ['findCookieValues (parse the Cookie header)', await time(() => findCookieValues(header, manager.cookieName))],
  ['HMAC-SHA-256 verify of the signed ID (keyring derives its own key)', await time(() => signer.verify(signed))],
  ['hashStoreKey (SHA-256 of the ID)', await time(() => hashStoreKey(id))],
  ['MemoryStore.get, direct (synchronous: what the manager calls for memory and SQLite)', await time(() => store.get(key))],
  ['store call with error wrapping, no timeout (an async store with storeTimeout 0)', await time(() => untimed.get(key))],
  ['store call as for Redis, PostgreSQL, MySQL (storeTimeout: a timer per call)', await time(() => timed.get(key))],
  [`decodeRecord (JSON.parse of a ${text.length}-byte record)`, await time(() => decodeRecord(text))],
  ['protocol.load(cookie header), whole (synchronous for MemoryStore)', await time(() => protocol.load(header))],
  ['protocol.prepare(unchanged session): the commit side of a pure read', await time(() => protocol.prepare(loaded))],
];
console.log(`Mean CPU µs per call, ${ITERATIONS.toLocaleString('en-US')} calls (at most ${MAX_MS / 1000} s) after ${WARMUP.toLocaleString('en-US')} warm-up calls; a call that returns a promise is awaited, a synchronous one is not.\n`);
console.log(table(['piece of the read path', 'µs/call'], rows.map(([name, us]) => [name, fmt(us, 2)])));
