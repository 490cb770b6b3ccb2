// encryptAtRest on every store against the real servers, over HTTP with a cookie jar: what a dump
// of the store shows, what a writer to the store can do, and that nothing else changes (compare-
// and-set, the per-user index, logout, migration from plain records, key rotation).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import express from 'express';
import { createSessionManager, hashStoreKey } from '../../src/core/index.js';
import type { KeyringInput, SessionEventType, SessionManager, SessionManagerOptions, SessionStore } from '../../src/core/index.js';
import { encodeForward } from '../../src/core/store-mode/record.js';
import { session } from '../../src/express/index.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';
import { realStores } from '../support/real-stores.js';
import { describeUnlessSkipped } from '../support/services.js';

const K1 = 'encrypt-at-rest-key-one-0123456789abcdefghi';
const K2 = 'encrypt-at-rest-key-two-0123456789abcdefghi';
const MARKER = 'CARD-4111-MARKER';
const stores = await realStores();
after(async () => {
  for (const s of stores) await s.close();
});

interface App {
  url: string;
  manager: SessionManager;
  events: SessionEventType[];
}

const servers: RunningServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** An Express app on `store`: login as a user, write keys, read them, list and revoke sessions, log out. */
async function app(store: SessionStore, secrets: KeyringInput, encryptAtRest: SessionManagerOptions['encryptAtRest']): Promise<App> {
  const events: SessionEventType[] = [];
  const manager = createSessionManager({ secrets, store, encryptAtRest, onEvent: (e) => events.push(e.type) });
  const web = express();
  web.use(session(manager, { onError: () => {} }));
  web.post('/login/:user', (req, res) => {
    req.session.regenerate();
    req.session.set('userId', req.params.user);
    req.session.set('card', MARKER);
    res.send('ok');
  });
  web.post('/set/:key', async (req, res) => {
    await delay(Math.random() * 20);
    req.session.set(req.params.key, true);
    res.send('ok');
  });
  web.get('/keys', (req, res) => res.json(req.session.keys().sort()));
  web.get('/devices', async (req, res) => res.json(await manager.listSessions(String(req.session.get('userId')), req.session)));
  web.post('/others-out', async (req, res) => res.json(await manager.revokeSessions(String(req.session.get('userId')), { except: req.session })));
  web.post('/logout', (req, res) => {
    req.session.destroy();
    res.send('bye');
  });
  const server = await serve(web);
  servers.push(server);
  return { url: server.url, manager, events };
}

const keyOf = async (b: Browser): Promise<string> => hashStoreKey((await b.cookie('__Host-sid'))!.split('.')[0]!);
const keysOf = async (b: Browser): Promise<string[]> => JSON.parse((await b.get('/keys')).body) as string[];

for (const backend of stores) {
  describeUnlessSkipped(`encryptAtRest on ${backend.name}`, backend.skip, () => {
    let inner: SessionStore;
    let sealed: App;
    before(async () => {
      inner = await backend.make('at_rest');
      sealed = await app(inner, K1, true);
    });

    it('SM-36 a dump of the store holds neither the session data nor the user ID', async () => {
      const b = new Browser(sealed.url);
      await b.post('/login/ada-at-rest');
      const raw = (await inner.get(await keyOf(b)))!;
      assert.ok(raw !== undefined && !raw.includes(MARKER) && !raw.includes('ada-at-rest') && !raw.includes('userId'), raw);
      assert.deepEqual(await inner.listByUser!('ada-at-rest'), [], 'the per-user index names an HMAC of the user');
      assert.deepEqual(await keysOf(b), ['card', 'userId']);
    });

    it('SM-36 tampered ciphertext gets the session rejected: a fresh session and a corrupt event', async () => {
      const b = new Browser(sealed.url);
      await b.post('/login/tamper');
      const key = await keyOf(b);
      const raw = (await inner.get(key))!;
      const flipped = `${raw.slice(0, 30)}${raw[30] === 'A' ? 'B' : 'A'}${raw.slice(31)}`;
      await inner.set(key, flipped, Date.now() + 60_000);
      sealed.events.length = 0;
      assert.deepEqual(await keysOf(b), []);
      assert.ok(sealed.events.includes('corrupt'), sealed.events.join());
    });

    it('SM-36 a record copied under another session\'s key does not open there, and a plain record forged into the store is refused', async () => {
      const victim = new Browser(sealed.url);
      const attacker = new Browser(sealed.url);
      await victim.post('/login/victim');
      await attacker.post('/login/attacker');
      await inner.set(await keyOf(attacker), (await inner.get(await keyOf(victim)))!, Date.now() + 60_000);
      assert.deepEqual(await keysOf(attacker), [], 'the victim\'s record, moved, reads as corrupt');
      const forger = new Browser(sealed.url);
      await forger.post('/login/forger');
      const plain = JSON.stringify({ v: 1, c: Date.now(), s: Date.now(), p: 0, u: 'admin', d: { userId: 'admin' } });
      await inner.set(await keyOf(forger), plain, Date.now() + 60_000);
      assert.deepEqual(await keysOf(forger), [], 'no fallback to plain records with encryptAtRest: true');
      assert.deepEqual(await keysOf(victim), ['card', 'userId']);
    });

    it('ten parallel writes of distinct keys: all ten kept (compare-and-set through the cipher)', async () => {
      const b = new Browser(sealed.url);
      await b.post('/login/parallel');
      await Promise.all(Array.from({ length: 10 }, (_, i) => b.post(`/set/k${i}`)));
      assert.deepEqual(await keysOf(b), ['card', ...Array.from({ length: 10 }, (_, i) => `k${i}`).sort(), 'userId'].sort());
    });

    it('"log out my other devices" and the devices list work through the hashed index; logout ends the session', async () => {
      const phone = new Browser(sealed.url);
      const laptop = new Browser(sealed.url);
      await phone.post('/login/grace');
      await laptop.post('/login/grace');
      assert.equal((JSON.parse((await laptop.get('/devices')).body) as unknown[]).length, 2);
      assert.equal(JSON.parse((await laptop.post('/others-out')).body), 1);
      assert.deepEqual(await keysOf(phone), []);
      assert.deepEqual(await keysOf(laptop), ['card', 'userId']);
      const key = await keyOf(laptop);
      await laptop.post('/logout');
      assert.equal(await inner.get(key), undefined);
    });

    it("'migrate': a session written in plain before still loads, and its next write encrypts it; with true it would be refused", async () => {
      const store = await backend.make('at_rest_migrate');
      const plain = await app(store, K1, false);
      const refused = new Browser(plain.url);
      await refused.post('/login/refused');
      const b = new Browser(plain.url);
      await b.post('/login/migrating');
      const key = await keyOf(b);
      assert.ok((await store.get(key))!.includes(MARKER), 'written in plain');
      const strict = await app(store, K1, true);
      assert.deepEqual(await keysOf(new Browser(strict.url, refused.jar)), [], 'true refuses a plain record (and deletes it as corrupt)');
      const migrating = await app(store, K1, 'migrate');
      const m = new Browser(migrating.url, b.jar);
      assert.deepEqual(await keysOf(m), ['card', 'userId']);
      assert.equal((JSON.parse((await m.get('/devices')).body) as unknown[]).length, 1, 'found under the plain user ID');
      await m.post('/set/after');
      assert.ok(!(await store.get(key))!.includes(MARKER), 'encrypted at its next write');
      assert.deepEqual(await keysOf(new Browser(strict.url, b.jar)), ['after', 'card', 'userId'], 'and then readable with true');
    });

    it("SM-36 'migrate': a plain renewal forward planted under the attacker's key does not lead to the victim's sealed record", async () => {
      const migrating = await app(inner, K1, 'migrate');
      const victim = new Browser(migrating.url);
      const attacker = new Browser(migrating.url);
      await victim.post('/login/forward-victim');
      await attacker.post('/login/forward-attacker');
      await inner.set(await keyOf(attacker), encodeForward({ key: await keyOf(victim), until: Date.now() + 60_000 }), Date.now() + 60_000);
      assert.deepEqual(await keysOf(attacker), []);
      await attacker.post('/set/pwned');
      assert.deepEqual(await keysOf(victim), ['card', 'userId'], 'nothing was read from or written to the victim\'s record');
    });

    it('key rotation: sessions sealed under the old secret load and write under [new, old], then under the new one alone', async () => {
      const store = await backend.make('at_rest_rotate');
      const old = await app(store, K1, true);
      const b = new Browser(old.url);
      await b.post('/login/rotating');
      const rotated = await app(store, [K2, K1], true);
      const r = new Browser(rotated.url, b.jar);
      assert.deepEqual(await keysOf(r), ['card', 'userId']);
      await r.post('/set/rotated');
      assert.equal((JSON.parse((await r.get('/devices')).body) as unknown[]).length, 1);
      // The write re-signed the cookie and re-sealed the record under K2: a manager that knows only K2 reads both.
      const fresh = new Browser((await app(store, K2, true)).url, b.jar);
      assert.deepEqual(await keysOf(fresh), ['card', 'rotated', 'userId']);
      assert.equal((JSON.parse((await fresh.get('/devices')).body) as unknown[]).length, 1, 'indexed under the new HMAC');
    });
  });
}
