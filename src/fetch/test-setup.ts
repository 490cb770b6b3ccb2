// Test fixtures of the Fetch adapter (not built, not shipped): the conformance app as a Fetch
// handler, and, run as a script by Bun or Deno (`import.meta.main`), a control server that serves
// that app with the runtime's own server, one app (a new manager) per case. The parent
// (test/support/runtimes.ts) sends the manager's options; a store it gives lives in the parent
// and is reached over HTTP (remoteStore), so the suite's FaultyStore fails or hangs inside the
// runtime's manager as it would in Node.
import type { Session, SessionStore } from '../index.js';
import { createSessionManager } from '../index.js';
import { conformanceReply } from '../testing/index.js';
import type { ConformanceData } from '../testing/index.js';
import { withSession } from './index.js';

/** The suite's reply as a Response: JSON, its chunks as a ReadableStream when it streams. */
export async function conformanceResponse(session: Session<ConformanceData>, request: Request): Promise<Response> {
  const reply = await conformanceReply(session, request.method, request.url);
  const init = { status: reply.status, headers: [['content-type', 'application/json'], ...reply.headers.map(([name, value]): [string, string] => [name, value])] };
  if (!reply.stream) return new Response(reply.chunks.join(''), init);
  const chunks = [...reply.chunks];
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) {
        controller.close();
        return;
      }
      // A turn between pieces, so they leave as separate writes.
      await new Promise((resolve) => setTimeout(resolve, 5));
      controller.enqueue(encoder.encode(chunk));
    },
  });
  return new Response(body, init);
}

/** The store methods the parent's bridge forwards. */
export const REMOTE_METHODS = ['get', 'set', 'setIf', 'delete', 'touch', 'listByUser', 'deleteByUser', 'deleteExpired'] as const;
export type RemoteMethod = (typeof REMOTE_METHODS)[number];

/** What the parent sends to `POST /start`. */
export interface RuntimeAppConfig {
  flavour: 'fetch' | 'hono';
  /** The manager's options without `store` (JSON). */
  options: Record<string, unknown>;
  /** The parent's store bridge, and the methods its store has. */
  store?: { url: string; methods: RemoteMethod[] };
}

/** A SessionStore whose calls go to the parent's store over HTTP; only the methods the parent's store has. */
export function remoteStore(url: string, methods: readonly RemoteMethod[]): SessionStore {
  const call = async (op: string, args: unknown[]): Promise<unknown> => {
    const response = await fetch(url, { method: 'POST', body: JSON.stringify({ op, args }) });
    const answer = (await response.json()) as { value?: unknown; error?: string };
    if (response.status !== 200) throw new Error(`remote store ${op}: ${answer.error ?? response.status}`);
    return answer.value ?? undefined;
  };
  const store: Record<string, unknown> = { close: async () => undefined };
  for (const method of methods) store[method] = (...args: unknown[]) => call(method, args);
  return store as unknown as SessionStore;
}

type Handler = (request: Request) => Promise<Response>;
interface BunLike {
  serve(options: { port: number; hostname: string; fetch: Handler }): { port: number; stop(closeActiveConnections?: boolean): unknown };
}
interface DenoLike {
  serve(options: { port: number; hostname: string; onListen: (address: { port: number }) => void }, handler: Handler): { shutdown(): Promise<void> };
}

/** Serves `handler` on a free port of 127.0.0.1 with the runtime's own server: its port, and how to stop it. */
function listen(handler: Handler): Promise<{ port: number; stop(): void }> {
  const runtime = globalThis as { Bun?: BunLike; Deno?: DenoLike };
  if (runtime.Bun !== undefined) {
    const server = runtime.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
    return Promise.resolve({ port: server.port, stop: () => void server.stop(true) });
  }
  const deno = runtime.Deno;
  if (deno === undefined) throw new Error('run this file with bun or deno');
  return new Promise((resolve) => {
    const server = deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => resolve({ port, stop: () => void server.shutdown() }) }, handler);
  });
}

/** The conformance app on a new manager made from `config`. */
async function appFor(config: RuntimeAppConfig): Promise<Handler> {
  const store = config.store === undefined ? {} : { store: remoteStore(config.store.url, config.store.methods) };
  const manager = createSessionManager<ConformanceData>({ ...config.options, ...store } as unknown as Parameters<typeof createSessionManager>[0]);
  if (config.flavour === 'fetch') return withSession(manager, (request, session) => conformanceResponse(session, request), { onError: () => undefined });
  const [{ Hono }, { session }] = await Promise.all([import('hono'), import('../hono/index.js')]);
  const app = new Hono();
  app.use(session(manager, { onError: () => undefined }));
  app.all('*', (c) => conformanceResponse(c.get('session') as unknown as Session<ConformanceData>, c.req.raw));
  return async (request) => app.fetch(request);
}

/**
 * The control server the parent talks to: `POST /start` with a `RuntimeAppConfig` starts an app
 * (a new manager, a new server) and answers `{ id, port }`; `POST /stop?id=` stops it. Its own
 * port goes to stdout as `{"port":N}`.
 */
async function main(): Promise<void> {
  // The parent holds our stdin open: when it goes away (a crashed test run), so do we.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
  const apps = new Map<string, () => void>();
  let next = 0;
  const control = await listen(async (request) => {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/start') {
        const app = await listen(await appFor((await request.json()) as RuntimeAppConfig));
        const id = String(++next);
        apps.set(id, app.stop);
        return Response.json({ id, port: app.port });
      }
      if (url.pathname === '/stop') {
        apps.get(url.searchParams.get('id') ?? '')?.();
        apps.delete(url.searchParams.get('id') ?? '');
        return Response.json({ ok: true });
      }
      return new Response('not found', { status: 404 });
    } catch (error) {
      return new Response(error instanceof Error ? (error.stack ?? error.message) : String(error), { status: 500 });
    }
  });
  process.stdout.write(`${JSON.stringify({ port: control.port })}\n`);
}

if ((import.meta as { main?: boolean }).main === true) await main();
