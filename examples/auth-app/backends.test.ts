// The demo on every SESSION_STORE backend, against the real servers: users kept, login, devices.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Browser, serve } from '../../test/support/http.js';
import { mysqlUrl, pgUrl, redisUrl, requireService, runScopedName } from '../../test/support/services.js';
import { createApp } from './app.js';
import { backendFromEnv } from './store-from-env.js';
import type { Backend } from './store-from-env.js';
import { TEST_SECRET } from './test-server.js';

const probes: Record<string, () => Promise<unknown>> = {
  redis: async () => {
    const client = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  },
  postgres: async () => {
    const client = new pg.Client({ connectionString: pgUrl(), connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.end();
  },
  mysql: async () => {
    const connection = await mysql.createConnection({ uri: mysqlUrl(), connectTimeout: 2000 });
    await connection.end();
  },
};

const settings: [string, () => string, string | undefined][] = [
  ['memory', () => 'memory', undefined],
  ['redis', redisUrl, 'redis'],
  ['postgres', pgUrl, 'postgres'],
  ['mysql', mysqlUrl, 'mysql'],
];

const tokenIn = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function submit(browser: Browser, page: string, action: string, fields: Record<string, string>) {
  const token = tokenIn((await browser.get(page)).body);
  return browser.post(action, { body: new URLSearchParams({ _csrf: token, ...fields }) });
}

describe('auth-app backends (SESSION_STORE)', () => {
  const open: Backend[] = [];
  after(async () => {
    for (const backend of open) await backend.close();
  });

  it('refuses an unknown SESSION_STORE with a message that lists the choices', async () => {
    await assert.rejects(backendFromEnv('mongodb://localhost'), /SESSION_STORE must be empty \(SQLite in data\/\), memory, redis:\/\/\.\.\., postgres:\/\/\.\.\. or mysql:\/\/\.\.\./);
  });

  for (const [name, url, service] of settings) {
    it(`${name}: registers, logs in, lists and revokes devices`, async (t) => {
      if (service !== undefined) {
        const skip = await requireService(name, probes[service]!);
        if (skip !== undefined) {
          t.skip(skip);
          return;
        }
      }
      const backend = await backendFromEnv(url());
      open.push(backend);
      const server = await serve(createApp({ store: backend.store, users: backend.users, secrets: TEST_SECRET }));
      try {
        const username = runScopedName(`u${randomUUID().slice(0, 6)}`).slice(0, 32);
        const one = new Browser(server.url);
        const two = new Browser(server.url);
        assert.equal((await submit(one, '/register', '/register', { username, password: 'backend-password', displayName: 'Backend' })).status, 303);
        assert.equal((await submit(one, '/register', '/register', { username, password: 'other-password' })).status, 303);
        assert.match((await one.get('/register')).body, /That username is taken/);
        for (const b of [one, two]) {
          assert.equal((await submit(b, '/login', '/login', { username, password: 'backend-password' })).headers.get('location'), '/profile');
        }
        assert.match((await one.get('/profile')).body, /<span id="display-name">Backend<\/span>/);
        assert.equal((await one.get('/devices')).body.match(/<tr class="device/g)?.length, 2);
        await submit(one, '/devices', '/devices/revoke-others', {});
        assert.equal((await two.get('/profile')).headers.get('location'), '/login');
        assert.equal((await one.get('/profile')).status, 200);
      } finally {
        await server.close();
      }
    });
  }
});
