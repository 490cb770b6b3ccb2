// iron-session 8: the whole session sealed (encrypted + signed) in the cookie, on Express.
import { createServer } from 'node:http';
import express from 'express';
import { getIronSession } from 'iron-session';
import { SECRET, nextLogin, serve } from './harness.js';

type Data = Record<string, unknown>;
const options = { password: SECRET, cookieName: 'iron', cookieOptions: { secure: false, httpOnly: true } };
const app = express();
app.get('/read', async (req, res) => {
  const data = await getIronSession<Data>(req, res, options);
  res.send(`hello ${String(data.userId ?? 'anon')}`);
});
app.get('/write', async (req, res) => {
  const data = await getIronSession<Data>(req, res, options);
  data.hits = Number(data.hits ?? 0) + 1;
  await data.save();
  res.send(`hello ${String(data.userId ?? 'anon')}`);
});
app.get('/login', async (req, res) => {
  const data = await getIronSession<Data>(req, res, options);
  Object.assign(data, nextLogin());
  await data.save();
  res.send(`hello ${String(data.userId)}`);
});
serve(createServer(app));
