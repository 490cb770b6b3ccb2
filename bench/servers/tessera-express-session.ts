// tessera's express-session drop-in (`tessera-session/express-session`), configured like express-session,
// on its default store. Reports itself unavailable until src/express-session exists.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { RequestHandler } from 'express';
import express from 'express';
import { SECRET, serve, unavailable } from './harness.js';
import { addObjectSessionRoutes } from './object-session-routes.js';

// Compiled next to this file (bench/lib/build.ts) or run from source through tsx.
const entry = new URL(`../../src/express-session/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
if (!existsSync(entry)) unavailable('tessera-session/express-session (src/express-session) does not exist yet');
// A computed specifier: the bench type-checks whether or not the drop-in exists.
const dropIn = (await import(entry.href)) as { default: (options: object) => RequestHandler };
const session = dropIn.default;

const app = express();
app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, cookie: { secure: false } }));
addObjectSessionRoutes(app);
serve(createServer(app));
