// tessera's Express middleware on one store: `memory`, `sqlite`, `redis`, `postgres`, or
// `sealed` (mode: 'cookie', when the core has it); BENCH_COOKIE_CACHE=<seconds> turns the cookie
// cache on for a store, BENCH_ENCRYPT_AT_REST=1 encryptAtRest.
// The library comes from the source (src/, compiled with the bench), or, with
// BENCH_TESSERA_DIST=<dir> (`npm run bench -- --baseline=<dir>`, see lib/baseline.ts), from the
// built tessera in <dir>/dist/: the same routes and options on another build, so that only the
// library differs. Both are imported dynamically, so a baseline server never loads src/.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import type { SessionManager } from '../../src/core/index.js';
import type * as SourceCore from '../../src/core/index.js';
import type * as SourceAdapter from '../../src/express/index.js';
import type { StoreName } from '../lib/stores.js';
import { SECRET, argument, nextLogin, runId, serve, unavailable } from './harness.js';

type Core = typeof SourceCore;
type Adapter = typeof SourceAdapter;
const dist = process.env.BENCH_TESSERA_DIST || undefined;
const fromDist = (path: string): Promise<unknown> => import(pathToFileURL(resolve(dist!, 'dist', path)).href);
const [{ createSessionManager, MemoryStore }, { session }] =
  dist === undefined
    ? await Promise.all([import('../../src/core/index.js'), import('../../src/express/index.js')])
    : ((await Promise.all([fromDist('index.js'), fromDist('express/index.js')])) as [Core, Adapter]);

type ManagerInput = Parameters<typeof createSessionManager>[0];
const kind = argument('memory');
// BENCH_STORE_TIMEOUT (seconds): bench/latency.ts raises the 1 s default, which a store 50 ms away
// on a busy machine can reach; express-session has no such bound.
const common = {
  secrets: SECRET,
  cookie: { secure: false },
  ...(process.env.BENCH_STORE_TIMEOUT ? { storeTimeout: Number(process.env.BENCH_STORE_TIMEOUT) } : {}),
  ...(process.env.BENCH_ENCRYPT_AT_REST === '1' ? { encryptAtRest: true } : {}),
};

/** True when `mode: 'cookie'` really keeps the data in the cookie: a second manager, sharing no store, reads it back. */
async function sealedModeWorks(): Promise<boolean> {
  const make = (): SessionManager => createSessionManager({ ...common, mode: 'cookie' } as unknown as ManagerInput);
  try {
    const first = make();
    const created = await first.load(undefined);
    created.set('userId', 'probe');
    const { setCookie } = await first.commit(created);
    const pair = setCookie[0]?.split(';')[0];
    const again = await make().load(pair);
    return again.get('userId') === 'probe';
  } catch {
    return false;
  }
}

let cleanup = async (): Promise<void> => {};
let manager: SessionManager;
if (kind === 'sealed') {
  if (!(await sealedModeWorks())) unavailable("sealed-cookie mode (mode: 'cookie') is not available in src/core yet");
  manager = createSessionManager({ ...common, mode: 'cookie' } as unknown as ManagerInput);
} else if (kind === 'memory') {
  // What lib/stores.ts opens for `memory`, from the library under test (the source or the
  // baseline), without loading the other stores' drivers, so both load the same modules.
  manager = createSessionManager({ ...common, store: new MemoryStore({ maxEntries: 1_000_000 }) });
} else if (dist !== undefined) {
  unavailable(`a baseline build runs the memory store and the sealed cookie only, not ${kind}`);
} else {
  const { STORE_NAMES, openStore } = await import('../lib/stores.js');
  if (!(STORE_NAMES as readonly string[]).includes(kind)) throw new Error(`unknown tessera variant ${kind}`);
  const opened = await openStore(kind as StoreName, `${runId()}_${process.pid}`);
  cleanup = opened.cleanup;
  // BENCH_COOKIE_CACHE (seconds): the opt-in cookie cache of store mode (bench/latency.ts's "+ cookie cache" rows).
  const cache = process.env.BENCH_COOKIE_CACHE ? { cookieCache: { maxAge: Number(process.env.BENCH_COOKIE_CACHE) } } : {};
  manager = createSessionManager({ ...common, ...cache, store: opened.store });
}

const app = express();
app.use(session(manager));
app.get('/read', (req, res) => {
  res.send(`hello ${String(req.session.get('userId') ?? 'anon')}`);
});
app.get('/write', (req, res) => {
  req.session.set('hits', Number(req.session.get('hits') ?? 0) + 1);
  res.send(`hello ${String(req.session.get('userId') ?? 'anon')}`);
});
app.get('/login', (req, res) => {
  for (const [key, value] of Object.entries(nextLogin())) req.session.set(key, value);
  res.send(`hello ${req.session.get('userId') as string}`);
});
serve(createServer(app), cleanup);
