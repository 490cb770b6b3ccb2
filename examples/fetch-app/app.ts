// A JSON API on the plain Fetch adapter, for API and mobile clients: the session token travels in
// `Authorization: Bearer` and comes back in `Session-Token` (the header transport), no cookie.
// One handler, `(request: Request) => Promise<Response>`: serve it with Bun.serve, Deno.serve,
// @hono/node-server, or export it from a Next.js route handler.
import { randomBytes } from 'node:crypto';
import { MemoryStore, createSessionManager } from '../../src/index.js';
import type { SessionManagerOptions } from '../../src/index.js';
import { withSession } from '../../src/fetch/index.js';

export function createHandler(options: Partial<SessionManagerOptions> = {}): (request: Request) => Promise<Response> {
  const manager = createSessionManager({
    secrets: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    store: new MemoryStore(),
    transport: { header: {} },
    ...options,
  });
  return withSession(manager, async (request, session) => {
    const route = `${request.method} ${new URL(request.url).pathname}`;
    switch (route) {
      case 'POST /login': {
        const { name } = (await request.json()) as { name?: unknown };
        if (typeof name !== 'string' || name.trim() === '') return Response.json({ error: 'name required' }, { status: 400 });
        session.regenerate(); // a new token at login defeats session fixation
        session.set('userId', name.trim().slice(0, 40));
        return Response.json({ user: session.get('userId') });
      }
      case 'GET /me':
        return Response.json({ user: session.get('userId') ?? null, calls: session.update('views', (n) => (n ?? 0) + 1) });
      case 'POST /logout':
        session.destroy();
        return new Response(null, { status: 204 });
      default:
        return Response.json({ error: 'not found' }, { status: 404 });
    }
  });
}
