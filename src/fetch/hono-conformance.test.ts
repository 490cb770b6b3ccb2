import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Session } from '../index.js';
import { runAdapterConformance } from '../testing/index.js';
import type { ConformanceData } from '../testing/index.js';
import { conformanceResponse } from './test-setup.js';
import { session } from '../hono/index.js';

runAdapterConformance('Hono on Node (@hono/node-server)', {
  async start(manager) {
    const app = new Hono();
    app.use(session(manager, { onError: () => undefined }));
    app.all('*', (c) => conformanceResponse(c.get('session') as unknown as Session<ConformanceData>, c.req.raw));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});
