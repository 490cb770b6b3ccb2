// cookie-session: the whole session in a signed (not encrypted) cookie.
import { createServer } from 'node:http';
import type { RequestHandler } from 'express';
import express from 'express';
import cookieSession from 'cookie-session';
import { SECRET, nextLogin, serve } from './harness.js';

type Data = Record<string, unknown>;
const app = express();
app.use(cookieSession({ name: 'session', keys: [SECRET], secure: false, httpOnly: true }) as RequestHandler);
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
