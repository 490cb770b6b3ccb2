// Serves the Hono example on Node: http://localhost:3000 (or PORT). On Bun or Deno, serve
// `createApp().fetch` with Bun.serve / Deno.serve instead (see docs/fetch.md).
import { serve } from '@hono/node-server';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
if (!process.env.SESSION_SECRET) {
  console.warn('SESSION_SECRET is not set: using a random secret, so sessions end when the server restarts.');
}
serve({ fetch: createApp().fetch, port }, () => {
  console.log(`tessera Hono example: http://localhost:${port}`);
});
