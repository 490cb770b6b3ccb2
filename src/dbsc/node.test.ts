import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSessionManager } from '../index.js';
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
});
