// Shared set-up for the Fastify adapter tests; not built into the package.
import { after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Browser } from '../../test/support/http.js';

/** Fastify apps of one test file: `listen(app)` serves one on 127.0.0.1, `track(app)` only closes it; call at the file's top level, and every app is closed after the file's tests. */
export function fastifyApps(): { listen(app: FastifyInstance): Promise<Browser>; track(app: FastifyInstance): void } {
  const apps: FastifyInstance[] = [];
  after(async () => {
    for (const app of apps) await app.close();
  });
  return {
    track: (app) => void apps.push(app),
    async listen(app) {
      apps.push(app);
      return new Browser(await app.listen({ port: 0, host: '127.0.0.1' }));
    },
  };
}
