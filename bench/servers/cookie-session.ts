// cookie-session: the whole session in a signed (not encrypted) cookie.
import { createServer } from 'node:http';
import type { RequestHandler } from 'express';
import express from 'express';
import cookieSession from 'cookie-session';
import { SECRET, serve } from './harness.js';
import { addObjectSessionRoutes } from './object-session-routes.js';

const app = express();
app.use(cookieSession({ name: 'session', keys: [SECRET], secure: false, httpOnly: true }) as RequestHandler);
addObjectSessionRoutes(app);
serve(createServer(app));
