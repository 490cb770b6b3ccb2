// S0 on Fastify: the floor for @fastify/session.
import Fastify from 'fastify';
import { serve } from './harness.js';

const app = Fastify({ logger: false });
for (const path of ['/read', '/write', '/login']) {
  app.get(path, async () => 'hello user-1');
}
await app.ready();
serve(app.server);
