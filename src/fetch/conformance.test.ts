import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { runAdapterConformance } from '../testing/index.js';
import type { RunningApp } from '../testing/index.js';
import { withSession } from './index.js';
import { conformanceResponse } from './test-setup.js';

/** Serves a Fetch handler on node:http through @hono/node-server's bridge, with Node's own Request and Response. */
export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<RunningApp> {
  const server = createServer(getRequestListener(handler, { overrideGlobalObjects: false }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

runAdapterConformance('Fetch (withSession) on Node', {
  start: (manager) => serveFetch(withSession(manager, (request, session) => conformanceResponse(session, request), { onError: () => undefined })),
});
