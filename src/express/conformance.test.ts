import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { conformanceReply, runAdapterConformance } from '../testing/index.js';
import type { ConformanceData } from '../testing/index.js';
import type { Session } from '../index.js';
import { session } from './index.js';

runAdapterConformance('Express 5', {
  async start(manager) {
    const app = express();
    app.use(session(manager, { onError: () => undefined }));
    app.use(async (req, res, next) => {
      try {
        const reply = await conformanceReply(req.session as unknown as Session<ConformanceData>, req.method, req.originalUrl);
        res.status(reply.status).type('application/json');
        if (!reply.stream) {
          res.send(reply.chunks.join(''));
          return;
        }
        for (const chunk of reply.chunks) res.write(chunk);
        res.end();
      } catch (error) {
        next(error);
      }
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
});
