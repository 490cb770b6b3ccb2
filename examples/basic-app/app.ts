// A small Express app on tessera: a visit counter, login and logout, on the memory store.
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Express } from 'express';
import { MemoryStore } from '../../src/index.js';
import type { SessionManagerOptions } from '../../src/index.js';
import { session } from '../../src/express/index.js';

declare module '../../src/index.js' {
  interface SessionData {
    userId: string;
    views: number;
    flash: string;
  }
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createApp(options: Partial<SessionManagerOptions> = {}): Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      secrets: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      store: new MemoryStore(),
      ...options,
    }),
  );

  app.get('/', (req, res) => {
    const views = req.session.update('views', (n) => (n ?? 0) + 1);
    const user = req.session.get('userId');
    const flash = req.session.take('flash');
    res.type('html').send(`<!doctype html><title>tessera example</title>
<h1>tessera example</h1>
${flash ? `<p><strong>${escape(flash)}</strong></p>` : ''}
<p>You have seen this page <span id="views">${views}</span> time(s) in this session.</p>
${user
  ? `<p>Signed in as <span id="user">${escape(user)}</span>.</p><form method="post" action="/logout"><button>Log out</button></form>`
  : `<form method="post" action="/login"><input name="name" placeholder="your name" required maxlength="40"><button>Log in</button></form>`}`);
  });

  app.post('/login', (req, res) => {
    const name = String(req.body?.name ?? '').trim().slice(0, 40);
    if (!name) {
      req.session.set('flash', 'Please enter a name.');
      res.redirect(303, '/');
      return;
    }
    req.session.regenerate(); // a new ID at login defeats session fixation
    req.session.set('userId', name);
    req.session.set('flash', `Welcome, ${name}.`);
    res.redirect(303, '/');
  });

  app.post('/logout', (req, res) => {
    req.session.destroy();
    req.session.set('flash', 'You are logged out.');
    res.redirect(303, '/');
  });
  return app;
}
