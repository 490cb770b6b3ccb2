// One memory measurement, in a process of its own run with --expose-gc: heap used per session
// after `count` logins into one library's memory store. Prints one JSON line.
import { randomBytes } from 'node:crypto';
import session from 'express-session';
import { MemoryStore, createSessionManager } from '../src/core/index.js';
import { SECRET, loginData } from './servers/harness.js';

const [library, countText] = process.argv.slice(2);
const count = Number(countText);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heap(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

async function fillTessera(): Promise<unknown> {
  const store = new MemoryStore({ maxEntries: count + 1 });
  const manager = createSessionManager({ secrets: SECRET, cookie: { secure: false }, store });
  for (let i = 0; i < count; i++) {
    const created = await manager.load(undefined);
    for (const [key, value] of Object.entries(loginData(i))) created.set(key, value);
    await manager.commit(created);
  }
  if (store.size !== count) throw new Error(`stored ${store.size} of ${count}`);
  return store;
}

async function fillExpressSession(): Promise<unknown> {
  type Store = { set(sid: string, data: object, cb: (error?: unknown) => void): void; length(cb: (e: unknown, n: number) => void): void };
  const store = new session.MemoryStore() as Store;
  const Cookie = session.Cookie as new (options: object) => object;
  for (let i = 0; i < count; i++) {
    // What express-session stores for a logged-in user: its cookie object and the data.
    const data = { cookie: new Cookie({ secure: false, httpOnly: true, path: '/' }), ...loginData(i) };
    await new Promise<void>((resolve, reject) => store.set(randomBytes(24).toString('base64url'), data, (e) => (e ? reject(e) : resolve())));
  }
  return store;
}

const before = heap();
const started = performance.now();
const kept = library === 'tessera' ? await fillTessera() : await fillExpressSession();
const seconds = (performance.now() - started) / 1000;
const after = heap();
console.log(JSON.stringify({ library, count, bytesPerSession: (after - before) / count, heapMB: after / 2 ** 20, seconds, kept: kept !== undefined }));
