// A small Hono app on tessera: a visit counter, login and logout, on the memory store. The same
// app runs on Node (server.ts), Bun and Deno: `export default { fetch: createApp().fetch }`.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { MemoryStore } from '../../src/index.js';
import type { SessionManagerOptions } from '../../src/index.js';
import { session } from '../../src/hono/index.js';

declare module '../../src/index.js' {
  interface SessionData {
    userId: string;
    views: number;
    flash: string;
  }
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createApp(options: Partial<SessionManagerOptions> = {}): Hono {
  const app = new Hono();
  app.use(
    session({
      secrets: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      store: new MemoryStore(),
      ...options,
    }),
  );

  app.get('/', (c) => {
    const s = c.get('session');
    const views = s.update('views', (n) => (n ?? 0) + 1);
    const user = s.get('userId');
    const flash = s.take('flash');
    return c.html(`<!doctype html><title>tessera on Hono</title>
<h1>tessera on Hono</h1>
${flash ? `<p><strong>${escape(flash)}</strong></p>` : ''}
<p>You have seen this page <span id="views">${views}</span> time(s) in this session.</p>
${user
  ? `<p>Signed in as <span id="user">${escape(user)}</span>.</p><form method="post" action="/logout"><button>Log out</button></form>`
  : `<form method="post" action="/login"><input name="name" placeholder="your name" required maxlength="40"><button>Log in</button></form>`}`);
  });

  app.get('/api/me', (c) => c.json({ user: c.get('session').get('userId') ?? null }));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim().slice(0, 40);
    const s = c.get('session');
    if (!name) {
      s.set('flash', 'Please enter a name.');
      return c.redirect('/', 303);
    }
    s.regenerate(); // a new ID at login defeats session fixation
    s.set('userId', name);
    s.set('flash', `Welcome, ${name}.`);
    return c.redirect('/', 303);
  });

  app.post('/logout', (c) => {
    c.get('session').destroy();
    c.get('session').set('flash', 'You are logged out.');
    return c.redirect('/', 303);
  });
  return app;
}
