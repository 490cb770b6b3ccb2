import { Readable } from 'node:stream';
import { conformanceReply, runAdapterConformance } from '../testing/index.js';
import type { ConformanceData } from '../testing/index.js';
import type { Session } from '../index.js';
import { session } from './index.js';
import { KOA_VERSIONS, listen } from './test-setup.js';

for (const [name, Koa] of KOA_VERSIONS) {
  runAdapterConformance(name, {
    async start(manager) {
      const app = new Koa();
      app.silent = true;
      app.use(session(manager, { onError: () => undefined }));
      app.use(async (ctx) => {
        const reply = await conformanceReply(ctx.session as unknown as Session<ConformanceData>, ctx.method, ctx.originalUrl);
        ctx.status = reply.status;
        ctx.type = 'application/json';
        for (const [name, value] of reply.headers) ctx.set(name, value);
        // A streamed reply goes out as a stream Koa pipes, one chunk per write.
        ctx.body = reply.stream ? Readable.from(reply.chunks) : reply.chunks.join('');
      });
      return listen(app);
    },
  });
}
