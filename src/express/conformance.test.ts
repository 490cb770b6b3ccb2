import express from 'express';
import { serve } from '../../test/support/http.js';
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
        for (const [name, value] of reply.headers) res.setHeader(name, value);
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
    return serve(app);
  },
});
