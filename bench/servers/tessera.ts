// tessera's Express middleware on one store: `memory`, `sqlite`, `redis`, `postgres`, or
// `sealed` (mode: 'cookie', when the core has it).
import { createServer } from 'node:http';
import express from 'express';
import type { SessionManager } from '../../src/core/index.js';
import { createSessionManager } from '../../src/core/index.js';
import { session } from '../../src/express/index.js';
import { STORE_NAMES, openStore } from '../lib/stores.js';
import type { StoreName } from '../lib/stores.js';
import { SECRET, argument, nextLogin, runId, serve, unavailable } from './harness.js';

type ManagerInput = Parameters<typeof createSessionManager>[0];
const kind = argument('memory');
const common = { secrets: SECRET, cookie: { secure: false } };

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
} else if ((STORE_NAMES as readonly string[]).includes(kind)) {
  const opened = await openStore(kind as StoreName, `${runId()}_${process.pid}`);
  cleanup = opened.cleanup;
  manager = createSessionManager({ ...common, store: opened.store });
} else {
  throw new Error(`unknown tessera variant ${kind}`);
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
