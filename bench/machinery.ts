// Does hand-written machinery pay? Each piece against what it replaced, side by side in one
// process, interleaved round by round:
//   (a) the one-shot HMAC-SHA-256 (two `crypto.hash` digests over precomputed key blocks) against
//       `createHmac('sha256', key).update(id).digest('base64url')` for a 43-character session ID:
//       signing, and the verify exactly as src/core/crypto/signer.ts did it with either MAC;
//   (b) the sealed cookie's per-seal key, `hmacSha256(key).bytes(40-byte message)` against
//       `createHmac('sha256', key).update(message).digest()`;
//   (c) bounding a store call in time: the deadline queue (one timer for all calls) against a
//       `new Promise` with `setTimeout` + `clearTimeout` per call (what src/core/store-caller.ts
//       did before 32b209a: reject with the timeout error after 1000 ms, clear the timer once the
//       promise settles), for an already-resolved and a microtask-resolved promise, one call at
//       a time and 10 in flight.
// A third column times what src/ does now in its place (eaf4c3a dropped both hand-written pieces
// on this benchmark's figures): createHmac over a KeyObject made once, and a per-call timer
// through Promise.race + finally. The hand-written pieces are in bench/lib/removed/, copied from
// 116bdf8. CPU ns per operation (process.cpuUsage, all threads: GC and JIT included), median of
// the rounds after a warm-up; the difference is the median of the per-round differences, with
// their interquartile range.
//   node bench/machinery.js [--quick]       (the compiled copy; `npm run bench` runs it)
//   node --import tsx bench/machinery.ts    (from source, slower: tsx adds helpers to closures)
// The src/ modules are imported one by one, not through src/core/index.ts; if a file moves, fix
// the path here.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createKeyring } from '../src/core/crypto/keyring.js';
import { SESSION_ID_LENGTH, generateSessionId, isSessionId } from '../src/core/crypto/random.js';
import { createIdSigner } from '../src/core/crypto/signer.js';
import { SessionError } from '../src/core/errors.js';
import { createDeadlineQueue } from './lib/removed/deadline-queue.js';
import { hmacSha256 } from './lib/removed/hmac-sha256.js';
import { fmt, median, table } from './lib/stats.js';
import { SECRET } from './servers/harness.js';

const quick = process.argv.includes('--quick');
// Many short rounds rather than a few long ones: on a shared 2-core VM a burst of other work
// spoils a round, and the median over many rounds sets it aside.
const ROUNDS = quick ? 9 : 31;
/** Operations per measured batch (a batch is 3-40 ms here), and per warm-up. */
const BATCH = quick ? 3_000 : 10_000;
const WARMUP = quick ? 20_000 : 50_000;
const TIMEOUT_MS = 1000;

// ---- (a) the session ID's signature ------------------------------------------------------------

const keyring = createKeyring(SECRET);
const signatureKey = keyring.derive('cookie-signature')[0]!;
const mac = hmacSha256(signatureKey);
const signatureKeyObject: KeyObject = createSecretKey(signatureKey);
const id = generateSessionId();
const signer = createIdSigner(keyring);
const signed = signer.sign(id);

const TAG_LENGTH = 43;
const SIGNED_ID_LENGTH = SESSION_ID_LENGTH + 1 + TAG_LENGTH;
interface VerifiedId {
  id: string;
  stale: boolean;
}
/** src/core/crypto/signer.ts's verify as it was at 116bdf8, line for line, with the MAC passed in (one key in the ring, as here). */
function verifyWith(tags: Array<(id: string) => string>): (signed: string) => VerifiedId | null {
  return (signed) => {
    if (typeof signed !== 'string' || signed.length !== SIGNED_ID_LENGTH || signed.charCodeAt(SESSION_ID_LENGTH) !== 46) return null;
    const id = signed.slice(0, SESSION_ID_LENGTH);
    if (!isSessionId(id)) return null;
    const given = Buffer.from(signed.slice(SESSION_ID_LENGTH + 1), 'utf8');
    if (given.length !== TAG_LENGTH) return null;
    for (let i = 0; i < tags.length; i++) {
      const expected = Buffer.from(tags[i]!(id), 'latin1');
      if (timingSafeEqual(expected, given)) return { id, stale: i > 0 };
    }
    return null;
  };
}
const builtinTag = (message: string): string => createHmac('sha256', signatureKey).update(message).digest('base64url');
const verifyHand = verifyWith([(message) => mac.text(message)]);
const verifyBuiltin = verifyWith([builtinTag]);
/** What src/core/shared/mac.ts does since eaf4c3a: createHmac over a KeyObject made once. */
const nowTag = (message: string): string => createHmac('sha256', signatureKeyObject).update(message).digest('base64url');
const verifyNow = verifyWith([nowTag]);

// ---- (b) the sealed cookie's per-seal key ------------------------------------------------------

const sealKey = keyring.derive('sealed-cookie', 32)[0]!;
const sealMac = hmacSha256(sealKey);
const sealKeyObject: KeyObject = createSecretKey(sealKey);
/** What the sealer MACs: the 24-byte label 'tessera/sealed-cookie/v1' and a 16-byte salt. */
const sealLabel = Buffer.from('tessera/sealed-cookie/v1', 'utf8');
const sealSalt = randomBytes(16);
const sealMessage = Buffer.concat([sealLabel, sealSalt]);
if (sealMessage.length !== 40) throw new Error('the per-seal message should be 40 bytes');

// ---- (c) bounding a promise in time -------------------------------------------------------------

type Bound = <T>(operation: string, promise: Promise<T>, wrapError: (error: unknown) => unknown) => Promise<T>;
const queue = createDeadlineQueue(TIMEOUT_MS);
const byQueue: Bound = (operation, promise, wrapError) => queue.bound(operation, promise, wrapError);
/** A timer per call, as src/core/store-caller.ts bounded calls before the deadline queue (before 32b209a). */
const byTimer: Bound = (operation, promise, wrapError) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new SessionError('ERR_SESSION_STORE', `session store ${operation} timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(wrapError(error));
      },
    );
  });
/** A timer per call as src/core/store-caller.ts has it since eaf4c3a: Promise.race against a timeout, cleared in finally. */
const byRace: Bound = <T>(operation: string, answer: Promise<T>, wrapError: (error: unknown) => unknown): Promise<T> => {
  const promise = Promise.resolve(answer).catch((error: unknown) => Promise.reject(wrapError(error)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SessionError('ERR_SESSION_STORE', `session store ${operation} timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};
const wrap = (error: unknown): unknown => error;
const record = '{"userId":"user-1"}';
const resolved = (): Promise<string> => Promise.resolve(record);
const microtask = (): Promise<string> => Promise.resolve().then(() => record);
const IN_FLIGHT = 10;
const inFlight = (bound: Bound, make: () => Promise<string>) => (): Promise<unknown> => {
  const calls: Array<Promise<string>> = [];
  for (let i = 0; i < IN_FLIGHT; i++) calls.push(bound('get', make(), wrap));
  return Promise.all(calls);
};

// ---- the timing ----------------------------------------------------------------------------------

/** An operation: synchronous, or returning a promise that is awaited; `per` calls of the piece each. */
interface Op {
  run: () => unknown;
  async: boolean;
  per: number;
}
let sink = 0;
const consume = (value: unknown): void => {
  sink = (sink + (typeof value === 'string' ? value.length : value === null ? 1 : 2)) | 0;
};

/** The q-quantile of `values`, linear between neighbours. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

/** CPU ns per piece over one batch. */
async function batch(op: Op): Promise<number> {
  const cpu = process.cpuUsage();
  if (op.async) {
    for (let i = 0; i < BATCH; i++) await op.run();
  } else {
    for (let i = 0; i < BATCH; i++) consume(op.run());
  }
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / (BATCH * op.per);
}

interface Case {
  what: string;
  /** How many of these a request makes, for the per-request difference. */
  perRequest: Array<[string, number]>;
  hand: Op;
  builtin: Op;
  /** What src/ does now in its place. */
  now: Op;
}

const sync = (run: () => unknown): Op => ({ run, async: false, per: 1 });
const awaited = (run: () => Promise<unknown>, per = 1): Op => ({ run, async: true, per });

const cases: Case[] = [
  {
    what: '(a) sign a 43-char session ID: tag text',
    perRequest: [['a new session (S3 login)', 1]],
    hand: sync(() => mac.text(id)),
    builtin: sync(() => builtinTag(id)),
    now: sync(() => nowTag(id)),
  },
  {
    what: '(a) verify a signed ID as signer.ts does (one key)',
    perRequest: [['a store-mode request with a cookie (S1, S2)', 1]],
    hand: sync(() => verifyHand(signed)),
    builtin: sync(() => verifyBuiltin(signed)),
    now: sync(() => verifyNow(signed)),
  },
  {
    what: '(b) per-seal key: HMAC of the 40-byte label + salt, 32 bytes out',
    perRequest: [['a sealed read (open)', 1], ['a sealed write (open + seal)', 2]],
    hand: sync(() => sealMac.bytes(sealMessage)),
    builtin: sync(() => createHmac('sha256', sealKey).update(sealMessage).digest()),
    // src/core/crypto/sealer.ts since eaf4c3a: the label and the salt in two updates.
    now: sync(() => createHmac('sha256', sealKeyObject).update(sealLabel).update(sealSalt).digest()),
  },
  {
    what: '(c) bound an already-resolved promise, one call at a time',
    perRequest: [['a MemoryStore write (setIf; reads are synchronous, unbounded)', 1]],
    hand: awaited(() => byQueue('setIf', resolved(), wrap)),
    builtin: awaited(() => byTimer('setIf', resolved(), wrap)),
    now: awaited(() => byRace('setIf', resolved(), wrap)),
  },
  {
    what: '(c) bound a microtask-resolved promise, one call at a time',
    perRequest: [['an async-store read (get)', 1], ['an async-store write (get + setIf)', 2]],
    hand: awaited(() => byQueue('get', microtask(), wrap)),
    builtin: awaited(() => byTimer('get', microtask(), wrap)),
    now: awaited(() => byRace('get', microtask(), wrap)),
  },
  {
    what: `(c) bound an already-resolved promise, ${IN_FLIGHT} in flight (per call)`,
    perRequest: [['a MemoryStore write', 1]],
    hand: awaited(inFlight(byQueue, resolved), IN_FLIGHT),
    builtin: awaited(inFlight(byTimer, resolved), IN_FLIGHT),
    now: awaited(inFlight(byRace, resolved), IN_FLIGHT),
  },
  {
    what: `(c) bound a microtask-resolved promise, ${IN_FLIGHT} in flight (per call)`,
    perRequest: [['an async-store read', 1], ['an async-store write', 2]],
    hand: awaited(inFlight(byQueue, microtask), IN_FLIGHT),
    builtin: awaited(inFlight(byTimer, microtask), IN_FLIGHT),
    now: awaited(inFlight(byRace, microtask), IN_FLIGHT),
  },
];

/** Reference rows. */
const references: Array<[string, Op]> = [
  ["src/core/crypto/signer.ts's verify as it is at this run", sync(() => signer.verify(signed))],
  ['the awaited promise alone, already resolved (no bound)', awaited(() => resolved())],
  ['the awaited promise alone, microtask-resolved (no bound)', awaited(() => microtask())],
];

// Both ways give the same answers before anything is timed.
if (mac.text(id) !== builtinTag(id)) throw new Error('hmacSha256.text differs from createHmac');
if (!sealMac.bytes(sealMessage).equals(createHmac('sha256', sealKey).update(sealMessage).digest())) throw new Error('hmacSha256.bytes differs from createHmac');
if (verifyHand(signed)?.id !== id || verifyBuiltin(signed)?.id !== id || signer.verify(signed)?.id !== id) throw new Error('a verify failed');
const forged = `${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`;
if (verifyHand(forged) !== null || verifyBuiltin(forged) !== null || signer.verify(forged) !== null) throw new Error('a forged tag verified');
if (nowTag(id) !== builtinTag(id) || verifyNow(signed)?.id !== id || verifyNow(forged) !== null) throw new Error('the KeyObject MAC differs');
for (const bound of [byQueue, byTimer, byRace]) {
  if ((await bound('get', microtask(), wrap)) !== record) throw new Error('a bound call lost its value');
  const failed = await bound('get', Promise.reject(new Error('x')), (error) => new Error('wrapped', { cause: error })).catch((error: Error) => error.message);
  if (failed !== 'wrapped') throw new Error('a bound call lost its error');
}

const ops: Op[] = [...cases.flatMap((c) => [c.hand, c.builtin, c.now]), ...references.map(([, op]) => op)];
const samples = new Map<Op, number[]>(ops.map((op) => [op, []]));
for (const op of ops) {
  for (let i = 0; i < WARMUP; i += BATCH) await batch(op);
}
for (let round = 0; round < ROUNDS; round++) {
  // Each case's pair back to back, in alternating order; cases rotate between rounds.
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(k + round) % cases.length]!;
    for (const op of round % 2 === 0 ? [c.hand, c.builtin, c.now] : [c.now, c.builtin, c.hand]) samples.get(op)!.push(await batch(op));
  }
  for (const [, op] of references) samples.get(op)!.push(await batch(op));
}

const rows = cases.map((c) => {
  const hand = samples.get(c.hand)!;
  const builtin = samples.get(c.builtin)!;
  const perRound = builtin.map((b, i) => b - hand[i]!);
  const saved = median(perRound);
  return [
    c.what,
    fmt(median(hand), 0),
    fmt(median(builtin), 0),
    fmt(median(samples.get(c.now)!), 0),
    `${fmt(saved, 0)} (${fmt(quantile(perRound, 0.25), 0)} to ${fmt(quantile(perRound, 0.75), 0)})`,
    c.perRequest.map(([when, n]) => `${when}: ${fmt((saved * n) / 1000, 2)} µs`).join('; '),
  ];
});
console.log(
  `CPU ns per call (process.cpuUsage, all threads), median of ${ROUNDS} interleaved rounds of ${BATCH.toLocaleString('en-US')} calls after ${WARMUP.toLocaleString('en-US')} warm-up calls each; ` +
    `"saved" is the median over rounds of (built-in − hand-written) in the same round, with the middle half of those per-round differences (25th to 75th percentile); positive means the hand-written piece is cheaper. ` +
    '"src/ now" is what src/ does in its place since eaf4c3a (createHmac over a KeyObject made once; a timer per call through Promise.race + finally). ' +
    'Promises are awaited one by one (the await is in every column). For scale: a request through the bare Express floor costs 100-200 µs of CPU on this machine (see the in-process section).\n',
);
console.log(table(['piece', 'hand-written ns/call', 'built-in ns/call', 'src/ now ns/call', 'saved ns/call (p25 to p75)', 'saved per request'], rows));
console.log('\nFor reference, same rounds:\n');
console.log(table(['reference', 'ns/call'], references.map(([what, op]) => [what, fmt(median(samples.get(op)!), 0)])));
if (sink === 42) console.log('');
