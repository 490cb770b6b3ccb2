// The cases of the adapter conformance suite: one HTTP scenario each, against the adapter's app.
import assert from 'node:assert/strict';
import type { ManagerOptions } from '../index.js';
import type { ClientResponse, ConformanceClient } from './conformance-client.js';
import type { FaultyStore } from './faulty-store.js';
import { rawGet } from './raw-request.js';

/** An app started for a case, with a client factory for its origin. */
export interface CaseApp {
  /** A new visitor (empty cookie jar; with the header transport, no token yet). */
  client(): ConformanceClient;
}

/** What a case works with. */
export interface AdapterCaseContext {
  /** Starts the adapter's app on a new manager made from these options (secrets given by the suite). */
  app(options?: Partial<ManagerOptions>): Promise<CaseApp>;
  /** A store whose faults the case switches. */
  faulty(): FaultyStore;
}

/** One scenario. */
export interface AdapterCase {
  readonly title: string;
  run(c: AdapterCaseContext): Promise<void>;
}

const COOKIE = /^__Host-sid=([A-Za-z0-9_.-]+); Path=\/; HttpOnly; Secure; SameSite=Lax$/;
/** A signed session ID: the ID and its HMAC, base64url. */
const SIGNED_ID = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

const body = (res: ClientResponse): Record<string, unknown> => JSON.parse(res.body) as Record<string, unknown>;
const sessionCookies = (res: ClientResponse): string[] => res.setCookie.filter((c) => c.startsWith('__Host-sid'));
const varies = (res: ClientResponse, header: string): boolean =>
  (res.headers.get('vary') ?? '').split(',').some((v) => [header, '*'].includes(v.trim().toLowerCase()));

function assertUnavailable(res: ClientResponse, startedAt: number, limitMs: number): void {
  assert.equal(res.status, 503, `a store failure answers 503, got ${res.status}: ${res.body.slice(0, 200)}`);
  assert.ok(/^\d+$/.test(res.headers.get('retry-after') ?? ''), 'with Retry-After in seconds');
  assert.deepEqual(sessionCookies(res), [], 'and no session cookie');
  assert.ok(Date.now() - startedAt < limitMs, `within storeTimeout plus a margin (${Date.now() - startedAt} ms)`);
}

/** The cases for a store-mode and a sealed-mode manager alike. */
const lifecycle = (mode: 'store' | 'cookie'): AdapterCase[] => {
  const options: Partial<ManagerOptions> = mode === 'cookie' ? { mode: 'cookie' } : {};
  return [
    {
      title: `${mode} mode: create and read: nothing is set until there is data; then one cookie with secure attributes, no-store and Vary: Cookie; a read sets nothing`,
      async run(c) {
        const visitor = (await c.app(options)).client();
        const empty = await visitor.get('/read');
        assert.deepEqual(body(empty), { isNew: true, count: null, user: null, data: {} });
        assert.deepEqual(sessionCookies(empty), [], 'an empty new session sets no cookie');
        assert.ok(varies(empty, 'cookie'), 'Vary: Cookie on a response that read a session');
        const first = await visitor.post('/count');
        assert.equal(sessionCookies(first).length, 1);
        assert.match(sessionCookies(first)[0]!, COOKIE);
        if (mode === 'store') assert.match(COOKIE.exec(sessionCookies(first)[0]!)![1]!, SIGNED_ID);
        assert.equal(first.headers.get('cache-control'), 'no-store');
        await visitor.post('/count');
        const read = await visitor.get('/read');
        assert.deepEqual({ ...body(read), data: undefined }, { isNew: false, count: 2, user: null, data: undefined });
        assert.deepEqual(sessionCookies(read), [], 'a read sends no cookie');
      },
    },
    {
      title: `${mode} mode: regenerate at login: the ID changes, the data stays, the old cookie is dead`,
      async run(c) {
        const visitor = (await c.app(options)).client();
        await visitor.post('/count');
        const before = visitor.cookie('__Host-sid')!;
        const login = await visitor.post('/login?user=ada');
        assert.equal(login.status, 200);
        const after = visitor.cookie('__Host-sid')!;
        assert.notEqual(after, before, 'a new cookie value at login');
        assert.deepEqual({ ...body(await visitor.get('/read')), data: undefined }, { isNew: false, count: 1, user: 'ada', data: undefined });
        if (mode === 'store') {
          const replay = await visitor.get('/read', { cookie: `__Host-sid=${before}` });
          assert.equal(body(replay).user, null, 'the pre-login cookie no longer loads the session');
          assert.equal(body(replay).count, null);
        }
      },
    },
    {
      title: `${mode} mode: destroy at logout: the cookie is cleared and the old cookie is dead; SM-30 with clearSiteData, Clear-Site-Data is sent`,
      async run(c) {
        const visitor = (await c.app(options)).client();
        await visitor.post('/login?user=ada');
        const old = visitor.cookie('__Host-sid')!;
        const logout = await visitor.post('/logout');
        assert.equal(logout.status, 200);
        assert.match(sessionCookies(logout)[0] ?? '', /^__Host-sid=;.*Max-Age=0/, 'the cookie is cleared');
        assert.equal(visitor.cookie('__Host-sid'), undefined);
        assert.equal(body(await visitor.get('/read')).user, null);
        if (mode === 'store') assert.equal(body(await visitor.get('/read', { cookie: `__Host-sid=${old}` })).user, null, 'the old cookie is dead');
        assert.equal(logout.headers.get('clear-site-data'), null, 'no Clear-Site-Data unless asked');
        await visitor.post('/login?user=ada');
        const clearing = await visitor.post('/logout?clearSiteData');
        assert.equal(clearing.headers.get('clear-site-data'), '"cache", "cookies", "storage"', 'SM-30 destroy({ clearSiteData: true })');
        assert.equal(clearing.headers.get('cache-control'), 'no-store');
      },
    },
    {
      title: `${mode} mode: a forged or tampered cookie gives a fresh session and is cleared`,
      async run(c) {
        const visitor = (await c.app(options)).client();
        await visitor.post('/login?user=ada');
        const real = visitor.cookie('__Host-sid')!;
        const forged = `${real.slice(0, -2)}${real.endsWith('AA') ? 'BB' : 'AA'}`;
        const res = await visitor.get('/read', { cookie: `__Host-sid=${forged}` });
        assert.deepEqual(body(res), { isNew: true, count: null, user: null, data: {} });
        assert.match(sessionCookies(res)[0] ?? '', /^__Host-sid=;.*Max-Age=0/);
      },
    },
    {
      title: `${mode} mode: a streamed response gets its cookie and its whole body, and the change is stored`,
      async run(c) {
        const visitor = (await c.app(options)).client();
        const res = await visitor.get('/stream');
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.body), { part: ['one', 'two', 'three'] });
        assert.equal(sessionCookies(res).length, 1);
        assert.equal((body(await visitor.get('/read')).data as Record<string, unknown>).streamed, true);
      },
    },
  ];
};

export const adapterCases: readonly AdapterCase[] = [
  ...lifecycle('store'),
  ...lifecycle('cookie'),
  {
    title: 'parallel requests of one session lose nothing',
    async run(c) {
      const visitor = (await c.app()).client();
      await visitor.post('/count');
      const writes = Array.from({ length: 10 }, (_, i) => visitor.post(`/set?key=k${i}&value=v${i}&delay=25`));
      for (const res of await Promise.all(writes)) assert.equal(res.status, 200, res.body);
      const data = body(await visitor.get('/read')).data as Record<string, unknown>;
      for (let i = 0; i < 10; i++) assert.equal(data[`k${i}`], `v${i}`, `the write of request ${i} survived`);
      assert.equal(data.count, 1);
    },
  },
  ...(['fail', 'hang'] as const).flatMap((fault): AdapterCase[] => [
    {
      title: `a store that ${fault === 'fail' ? 'fails' : 'hangs'} while loading: 503 with Retry-After within storeTimeout, never an anonymous page`,
      async run(c) {
        const store = c.faulty();
        const visitor = (await c.app({ store, storeTimeout: 0.3 })).client();
        await visitor.post('/login?user=ada');
        store.fault = fault;
        const startedAt = Date.now();
        assertUnavailable(await visitor.get('/read'), startedAt, 3000);
        store.fault = 'none';
        assert.equal(body(await visitor.get('/read')).user, 'ada', 'the session is intact once the store is back');
      },
    },
    {
      title: `a store that ${fault === 'fail' ? 'fails' : 'hangs'} while committing: 503 with Retry-After within storeTimeout, no cookie, nothing of the answer it replaces (its redirect, its validators)`,
      async run(c) {
        const store = c.faulty();
        const app = await c.app({ store, storeTimeout: 0.3 });
        const visitor = app.client();
        await visitor.post('/count');
        store.fault = `${fault}-writes`;
        const startedAt = Date.now();
        const failed = await visitor.post('/login?user=eve&then=/home');
        assertUnavailable(failed, startedAt, 3000);
        assert.deepEqual([failed.headers.get('location'), failed.headers.get('etag'), failed.headers.get('cache-control')], [null, null, 'no-store'], 'the redirect the handler prepared is not sent with the 503');
        assert.equal(failed.headers.get('access-control-allow-origin'), '*', 'its CORS headers are, so a cross-origin client can read the 503');
        store.fault = 'none';
        const read = body(await visitor.get('/read'));
        assert.deepEqual([read.user, read.count], [null, 1], 'the failed login changed nothing');
        const login = await app.client().post('/login?user=ada&then=/home');
        assert.deepEqual([login.status, login.headers.get('location')], [303, '/home'], 'with the store back, the same login redirects (the app sends its headers)');
      },
    },
  ]),
  {
    title: 'a store failure answers a client that prefers JSON (Accept: application/json) in JSON with the error code; others get plain text',
    async run(c) {
      const store = c.faulty();
      const visitor = (await c.app({ store, storeTimeout: 0.3 })).client();
      await visitor.post('/login?user=ada');
      store.fault = 'fail';
      const json = { headers: { accept: 'application/json, text/plain, */*' } };
      const onLoad = await visitor.get('/read', json);
      store.fault = 'fail-writes';
      const onCommit = await visitor.post('/count', json);
      for (const failed of [onLoad, onCommit]) {
        assertUnavailable(failed, Date.now() - 1, 3000);
        assert.match(failed.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(JSON.parse(failed.body), { error: 'Service Unavailable', code: 'ERR_SESSION_STORE' });
      }
      const text = await visitor.post('/count', { headers: { accept: 'text/html,*/*;q=0.8' } });
      assert.equal(text.status, 503);
      assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(text.body, 'Service Unavailable');
    },
  },
  {
    title: 'header transport: the token comes in Session-Token, goes back in Authorization: Bearer; no cookie; logout empties it',
    async run(c) {
      const visitor = (await c.app({ transport: { header: {} } })).client();
      const login = await visitor.post('/login?user=ada');
      assert.deepEqual(login.setCookie, [], 'no cookie with the header transport');
      const token = visitor.token;
      assert.ok(token !== undefined && token.length > 40, 'a token in Session-Token');
      assert.equal(login.headers.get('cache-control'), 'no-store');
      const read = await visitor.get('/read');
      assert.equal(body(read).user, 'ada');
      assert.ok(varies(read, 'authorization'), 'Vary: Authorization');
      assert.equal(read.headers.get('session-token'), null, 'a read sends no token');
      const logout = await visitor.post('/logout');
      assert.equal(logout.headers.get('session-token'), '', 'an empty token tells the client to drop it');
      assert.equal(body(await visitor.get('/read', { headers: { authorization: `Bearer ${token}` } })).user, null, 'the old token is dead');
    },
  },
  {
    title: 'SM-20 header transport: a token header sent twice names no session, whatever it holds (node:http alone keeps the first Authorization)',
    async run(c) {
      const visitor = (await c.app({ transport: { header: {} } })).client();
      await visitor.post('/login?user=ada');
      const line = `Authorization: Bearer ${visitor.token ?? ''}`;
      const once = await rawGet(visitor.baseUrl, '/read', [line]);
      assert.deepEqual([once.status, (JSON.parse(once.body) as { user: unknown }).user], [200, 'ada'], 'sent once, the token names the session');
      const twice = await rawGet(visitor.baseUrl, '/read', [line, line]);
      assert.deepEqual([twice.status, (JSON.parse(twice.body) as { user: unknown }).user], [200, null], 'sent twice, it names none');
    },
  },
  {
    title: 'header transport in a named header, sealed mode',
    async run(c) {
      const visitor = (await c.app({ mode: 'cookie', transport: { header: { request: 'x-session', response: 'x-session' } } })).client();
      await visitor.post('/count');
      assert.ok(visitor.token !== undefined);
      assert.equal(body(await visitor.get('/read')).count, 1);
      assert.equal(body(await visitor.get('/read', { headers: { 'x-session': 'garbage' } })).count, null);
    },
  },
];
