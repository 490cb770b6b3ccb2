// `npm start`: the demo on http://localhost:3000 (PORT to change). SESSION_STORE picks the database.
import { randomBytes } from 'node:crypto';
import { createApp } from './app.js';
import { backendFromEnv } from './store-from-env.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const secret = process.env.SESSION_SECRET;
if (!secret) console.warn('SESSION_SECRET is not set: using a random secret, so everyone is logged out when the server restarts.');

const backend = await backendFromEnv();
const app = createApp({
  store: backend.store,
  users: backend.users,
  secrets: secret ?? randomBytes(32).toString('base64url'),
  // Browsers accept Secure cookies on http://localhost; elsewhere without HTTPS set COOKIE_SECURE=false.
  ...(process.env.COOKIE_SECURE === 'false' ? { cookie: { secure: false } } : {}),
});
const server = app.listen(port, host, () => {
  console.log(`tessera demo: http://localhost:${port}  (sessions and users: ${backend.description})`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void backend.close().finally(() => process.exit(0));
  });
}
