// Serves the Fetch example: on Bun (`bun examples/fetch-app/server.ts`) with Bun.serve, on Deno
// with Deno.serve, on Node through @hono/node-server. http://localhost:3000 (or PORT).
import { serve } from '@hono/node-server';
import { createHandler } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const fetch = createHandler();
const runtime = globalThis as {
  Bun?: { serve(options: { port: number; fetch: typeof fetch }): unknown };
  Deno?: { serve(options: { port: number }, handler: typeof fetch): unknown };
};
if (runtime.Bun) runtime.Bun.serve({ port, fetch });
else if (runtime.Deno) runtime.Deno.serve({ port }, fetch);
else serve({ fetch, port });
console.log(`tessera Fetch example: http://localhost:${port}`);
