// tessera's express-session drop-in (`tessera/express-session`), configured like express-session,
// on its default store. Reports itself unavailable until src/express-session exists.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { RequestHandler } from 'express';
import express from 'express';
import { SECRET, nextLogin, serve, unavailable } from './harness.js';

type Data = Record<string, unknown>;
// Compiled next to this file (bench/lib/build.ts) or run from source through tsx.
const entry = new URL(`../../src/express-session/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
if (!existsSync(entry)) unavailable('tessera/express-session (src/express-session) does not exist yet');
// A computed specifier: the bench type-checks whether or not the drop-in exists.
const dropIn = (await import(entry.href)) as { default: (options: object) => RequestHandler };
const session = dropIn.default;

const app = express();
app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, cookie: { secure: false } }));
const sessionOf = (req: express.Request): Data => (req as express.Request & { session: Data }).session;
app.get('/read', (req, res) => {
  res.send(`hello ${String(sessionOf(req).userId ?? 'anon')}`);
});
app.get('/write', (req, res) => {
  const data = sessionOf(req);
  data.hits = Number(data.hits ?? 0) + 1;
  res.send(`hello ${String(data.userId ?? 'anon')}`);
});
app.get('/login', (req, res) => {
  Object.assign(sessionOf(req), nextLogin());
  res.send(`hello ${String(sessionOf(req).userId)}`);
});
serve(createServer(app));
