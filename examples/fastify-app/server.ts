// `npx tsx examples/fastify-app/server.ts`: serves the example on http://localhost:3000 (or PORT).
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
if (!process.env.SESSION_SECRET) {
  console.warn('SESSION_SECRET is not set: using a random secret, so sessions end when the server restarts.');
}
const app = await createApp();
await app.listen({ port, host: '127.0.0.1' });
console.log(`tessera Fastify example: http://localhost:${port}`);
