// A small Fastify app on tessera: a visit counter, login and logout, and a private area, as a JSON API on the memory store.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { MemoryStore } from '../../src/index.js';
import type { SessionManagerOptions } from '../../src/index.js';
import { session } from '../../src/fastify/index.js';

declare module '../../src/index.js' {
  interface SessionData {
    userId: string;
    views: number;
  }
}

export async function createApp(options: Partial<SessionManagerOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  // Registered on the root: every route below, child contexts included, has request.session.
  await app.register(session, {
    secrets: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    store: new MemoryStore(),
    ...options,
  });

  app.get('/', async (request) => ({
    views: request.session.update('views', (n) => (n ?? 0) + 1),
    user: request.session.get('userId') ?? null,
  }));

  app.post<{ Body: { name?: unknown } }>('/login', async (request, reply) => {
    const name = typeof request.body?.name === 'string' ? request.body.name.trim().slice(0, 40) : '';
    if (name === '') return reply.code(400).send({ error: 'a name is required' });
    request.session.regenerate(); // a new ID at login defeats session fixation
    request.session.set('userId', name);
    return { user: name };
  });

  app.post('/logout', async (request) => {
    request.session.destroy();
    return { ok: true };
  });

  // An encapsulated context: its preHandler guards only the routes registered inside it.
  await app.register(async (area) => {
    area.addHook('preHandler', async (request, reply) => {
      if (!request.session.has('userId')) return reply.code(401).send({ error: 'log in first' });
    });
    area.get('/private/me', async (request) => ({ user: request.session.get('userId'), views: request.session.get('views') ?? 0 }));
  });
  return app;
}
