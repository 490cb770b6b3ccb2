// The S1-S3 routes for libraries whose `req.session` is a plain object (express-session, its
// tessera drop-in, cookie-session), so the three servers measure exactly the same handlers.
import type { Express, Request } from 'express';
import { nextLogin } from './harness.js';

type Data = Record<string, unknown>;
const sessionOf = (req: Request): Data => (req as Request & { session: Data }).session;

export function addObjectSessionRoutes(app: Express): void {
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
}
