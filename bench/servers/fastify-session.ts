// @fastify/session (with @fastify/cookie) on Fastify, on its default MemoryStore.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { SECRET, nextLogin, serve } from './harness.js';

declare module 'fastify' {
  interface Session {
    userId?: string;
    name?: string;
    roles?: string[];
    loginAt?: number;
    hits?: number;
  }
}

const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, { secret: SECRET, saveUninitialized: false, cookie: { secure: false } });
app.get('/read', async (request) => `hello ${request.session.get('userId') ?? 'anon'}`);
app.get('/write', async (request) => {
  request.session.set('hits', Number(request.session.get('hits') ?? 0) + 1);
  return `hello ${request.session.get('userId') ?? 'anon'}`;
});
app.get('/login', async (request) => {
  const login = nextLogin();
  request.session.set('userId', login.userId);
  request.session.set('name', login.name);
  request.session.set('roles', login.roles);
  request.session.set('loginAt', login.loginAt);
  return `hello ${request.session.get('userId') ?? 'anon'}`;
});
await app.ready();
serve(app.server);
