// A small Koa app on tessera: a visit counter, login and logout, on the memory store. Runs on Koa 2 and Koa 3.
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import type { Context } from 'koa';
import { MemoryStore } from '../../src/index.js';
import type { SessionManagerOptions } from '../../src/index.js';
import { session } from '../../src/koa/index.js';

declare module '../../src/index.js' {
  interface SessionData {
    userId: string;
    views: number;
    flash: string;
  }
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The fields of a small urlencoded form (Koa parses no bodies itself; real apps use a body parser). */
async function formOf(ctx: Context): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of ctx.req) {
    text += String(chunk);
    if (text.length > 4096) ctx.throw(413, 'form too large');
  }
  return new URLSearchParams(text);
}

function page(ctx: Context): string {
  const views = ctx.session.update('views', (n) => (n ?? 0) + 1);
  const user = ctx.session.get('userId');
  const flash = ctx.session.take('flash');
  return `<!doctype html><title>tessera on Koa</title>
<h1>tessera on Koa</h1>
${flash ? `<p><strong>${escape(flash)}</strong></p>` : ''}
<p>You have seen this page <span id="views">${views}</span> time(s) in this session.</p>
${user
  ? `<p>Signed in as <span id="user">${escape(user)}</span>.</p><form method="post" action="/logout"><button>Log out</button></form>`
  : `<form method="post" action="/login"><input name="name" placeholder="your name" required maxlength="40"><button>Log in</button></form>`}`;
}

/** The app, on the Koa class given (Koa 3 by default). */
export function createApp(options: Partial<SessionManagerOptions> = {}, KoaClass: typeof Koa = Koa): Koa {
  const app = new KoaClass();
  app.use(
    session({
      secrets: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      store: new MemoryStore(),
      ...options,
    }),
  );
  app.use(async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    if (route === 'GET /') {
      ctx.type = 'html';
      ctx.body = page(ctx);
    } else if (route === 'POST /login') {
      const name = ((await formOf(ctx)).get('name') ?? '').trim().slice(0, 40);
      if (name === '') {
        ctx.session.set('flash', 'Please enter a name.');
      } else {
        ctx.session.regenerate(); // a new ID at login defeats session fixation
        ctx.session.set('userId', name);
        ctx.session.set('flash', `Welcome, ${name}.`);
      }
      ctx.status = 303;
      ctx.redirect('/');
    } else if (route === 'POST /logout') {
      ctx.session.destroy();
      ctx.session.set('flash', 'You are logged out.');
      ctx.status = 303;
      ctx.redirect('/');
    }
  });
  return app;
}
