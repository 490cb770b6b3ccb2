// Serves the Koa example app on http://localhost:3000 (or PORT): `npx tsx examples/koa-app/server.ts`.
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
if (!process.env.SESSION_SECRET) {
  console.warn('SESSION_SECRET is not set: using a random secret, so sessions end when the server restarts.');
}
createApp().listen(port, () => {
  console.log(`tessera Koa example app: http://localhost:${port}`);
});
