import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createSessionManager } from '../index.js';
import { FakeClock } from '../testing/index.js';
import { createDbscEndpoints } from './endpoints.js';
import { nodeDbscMiddleware, webRequestOf } from './node.js';

const SECRET = 'dbsc-node-test-secret-0123456789abcdefghijk';

describe('DBSC on node:http', () => {
  it('webRequestOf keeps the method, the original URL and the headers (repeated Cookie joined with "; ")', () => {
    const request = webRequestOf({ method: 'POST', url: '/refresh', originalUrl: '/dbsc/refresh?x=1', headers: { cookie: ['a=1', 'b=2'], 'sec-secure-session-id': '"s"', skipped: undefined } });
    assert.equal(request.method, 'POST');
    assert.equal(new URL(request.url).pathname, '/dbsc/refresh');
    assert.equal(request.headers.get('cookie'), 'a=1; b=2');
    assert.equal(request.headers.get('sec-secure-session-id'), '"s"');
  });

  it('webRequestOf takes the host from the Host header (so scope domains apply), localhost when it is missing or malformed', () => {
    const hostOf = (host: string | undefined) => new URL(webRequestOf({ url: '/a', headers: { host } }).url).host;
    assert.equal(hostOf('app.example.com'), 'app.example.com');
    assert.equal(hostOf('App.Example.com:8443'), 'app.example.com:8443');
    assert.equal(hostOf('[::1]:3000'), '[::1]:3000');
    assert.equal(hostOf(undefined), 'localhost');
    assert.equal(hostOf('evil.com/path'), 'localhost');
    assert.equal(hostOf('a:99999'), 'localhost', 'a port out of range');
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (host) => assert.equal(new URL(webRequestOf({ url: '/p', headers: { host } }).url).pathname, '/p')));
  });

  it('the middleware passes other paths to next(), or answers 404 without it; its own paths it answers', async () => {
    const middleware = nodeDbscMiddleware(createDbscEndpoints(createSessionManager({ secrets: SECRET, dbsc: {} })));
    const run = (url: string, next?: () => void): Promise<{ status: number; headers: Map<string, string | string[]>; nexted: boolean }> =>
      new Promise((resolve) => {
        const headers = new Map<string, string | string[]>();
        const res = {
          statusCode: 200,
          setHeader: (name: string, value: string | string[]) => headers.set(name, value),
          end: () => resolve({ status: res.statusCode, headers, nexted: false }),
        };
        middleware({ method: 'POST', url, headers: {} }, res, next && (() => resolve({ status: 0, headers, nexted: true })));
      });
    assert.equal((await run('/elsewhere', () => undefined)).nexted, true);
    assert.equal((await run('/elsewhere')).status, 404);
    const refresh = await run('/dbsc/refresh', () => undefined);
    assert.equal(refresh.status, 400, 'no Sec-Secure-Session-Id');
    assert.equal(refresh.headers.get('cache-control'), 'no-store');
    assert.throws(() => createDbscEndpoints(createSessionManager({ secrets: SECRET })), /no DBSC/);
  });

  it('expiredBoundCookie: 307 exactly for a GET or HEAD with a bound cookie stale by its own expiry; any Cookie header, never an exception', () => {
    const clock = new FakeClock(1_800_000_000_000);
    const endpoints = createDbscEndpoints(createSessionManager({ secrets: SECRET, clock, dbsc: {} }));
    const tag = 'A'.repeat(43);
    const get = (cookie: string, method = 'GET') => endpoints.expiredBoundCookie(new Request('http://localhost/p?q=1', { method, headers: { cookie } }));
    const stale = `${(clock.now() - 1).toString(36)}.${tag}`;
    const answer = get(`a=1; __Host-sid-bound=${stale}`);
    assert.equal(answer?.status, 307);
    assert.equal(answer?.headers.get('location'), '/p?q=1');
    assert.match(answer?.headers.getSetCookie()[0] ?? '', /^__Host-sid-bound=; .*Max-Age=0/);
    assert.equal(get(`__Host-sid-bound=${stale}`, 'HEAD')?.status, 307);
    assert.equal(get(`__Host-sid-bound=${stale}`, 'POST'), undefined);
    assert.equal(get(`__Host-sid-bound=${(clock.now() + 1).toString(36)}.${tag}`), undefined);
    assert.equal(get(`other=${stale}`), undefined);
    const cookieText = fc.string({ maxLength: 300 });
    fc.assert(
      fc.property(cookieText, fc.option(fc.integer({ min: 0, max: 2 * clock.now() })), (noise, expiresAt) => {
        const bound = expiresAt === null ? '' : `; __Host-sid-bound=${expiresAt.toString(36)}.${tag}`;
        const result = get(noise.replace(/[\r\n\0]/g, '') + bound);
        if (expiresAt !== null && expiresAt <= clock.now()) assert.equal(result?.status, 307);
        assert.ok(result === undefined || result.status === 307);
      }),
    );
  });

  it('DB-25 an expired bound cookie on a path the DBSC scope excludes is left alone (the browser would not refresh first)', () => {
    const clock = new FakeClock(1_800_000_000_000);
    const endpoints = createDbscEndpoints(createSessionManager({ secrets: SECRET, clock, dbsc: { scope: [{ type: 'exclude', path: '/static' }] } }));
    const cookie = `__Host-sid-bound=${(clock.now() - 1).toString(36)}.${'A'.repeat(43)}`;
    const get = (path: string) => endpoints.expiredBoundCookie(new Request(`http://localhost${path}`, { headers: { cookie } }));
    assert.equal(get('/static/app.js'), undefined);
    assert.equal(get('/account')?.status, 307);
    assert.equal(get('/staticky')?.status, 307);
  });

  it('DB-25 through the node:http middleware, scope rules with a domain apply to the Host the request came to', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    // Given in any case, a domain compares as URLs serialize hosts: in lower case.
    const scope = [{ type: 'exclude', domain: '*.Example.COM', path: '/static' }] as const;
    const middleware = nodeDbscMiddleware(createDbscEndpoints(createSessionManager({ secrets: SECRET, clock, dbsc: { scope: [...scope] } })));
    const cookie = `__Host-sid-bound=${(clock.now() - 1).toString(36)}.${'A'.repeat(43)}`;
    const status = (host: string, url: string): Promise<number> =>
      new Promise((resolve) => {
        const res = { statusCode: 200, setHeader: () => undefined, end: () => resolve(res.statusCode) };
        middleware({ method: 'GET', url, headers: { host, cookie } }, res, () => resolve(0));
      });
    assert.equal(await status('www.example.com', '/static/app.js'), 0, 'excluded: passed on, no 307');
    assert.equal(await status('www.example.com', '/account'), 307);
    assert.equal(await status('www.example.org', '/static/app.js'), 307, 'the rule names another domain');
  });
});
