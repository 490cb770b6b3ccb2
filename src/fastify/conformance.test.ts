import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { conformanceReply, runAdapterConformance } from '../testing/index.js';
import type { ConformanceData } from '../testing/index.js';
import type { Session } from '../index.js';
import { session } from './index.js';

runAdapterConformance('Fastify 5', {
  async start(manager) {
    const app = Fastify({ forceCloseConnections: true });
    await app.register(session, { manager, onError: () => undefined });
    app.all('/*', async (request, reply) => {
      const answer = await conformanceReply(request.session as unknown as Session<ConformanceData>, request.method, request.url);
      reply.code(answer.status).type('application/json');
      for (const [name, value] of answer.headers) reply.header(name, value);
      // A streamed body: Fastify pipes the stream after onSend, so each chunk is a separate write.
      return answer.stream ? Readable.from(answer.chunks) : answer.chunks.join('');
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
});
