// S0 on Hono (on Node through @hono/node-server): the floor for the Hono session middleware.
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { serve } from './harness.js';

const app = new Hono();
for (const path of ['/read', '/write', '/login']) {
  app.get(path, (c) => c.text('hello user-1'));
}
serve(createAdaptorServer({ fetch: app.fetch }) as Server);
