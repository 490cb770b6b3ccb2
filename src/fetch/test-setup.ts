// Test fixtures of the Fetch adapter (not built, not shipped): the conformance app as a Fetch
// handler, and, run as a script by Bun or Deno (`import.meta.main`), that app served by the
// runtime's own server. The parent (test/support/runtimes.ts) passes the manager's options in
// TESSERA_RUNTIME_APP; a store it gives lives in the parent and is reached over HTTP (RemoteStore),
// so the suite's FaultyStore fails or hangs inside the runtime's manager as it would in Node.
import type { Session, SessionStore } from '../index.js';
import { createSessionManager } from '../index.js';
import { conformanceReply } from '../testing/index.js';
import type { ConformanceData } from '../testing/index.js';
import { withSession } from './index.js';

/** The suite's reply as a Response: JSON, its chunks as a ReadableStream when it streams. */
export async function conformanceResponse(session: Session<ConformanceData>, request: Request): Promise<Response> {
  const reply = await conformanceReply(session, request.method, request.url);
  const init = { status: reply.status, headers: { 'content-type': 'application/json' } };
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

/** What the parent passes in TESSERA_RUNTIME_APP. */
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

interface BunLike {
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): { port: number };
}
interface DenoLike {
  serve(options: { port: number; hostname: string; onListen: (address: { port: number }) => void }, handler: (request: Request) => Promise<Response>): unknown;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.TESSERA_RUNTIME_APP ?? '{}') as RuntimeAppConfig;
  const store = config.store === undefined ? {} : { store: remoteStore(config.store.url, config.store.methods) };
  const manager = createSessionManager<ConformanceData>({ ...config.options, ...store } as unknown as Parameters<typeof createSessionManager>[0]);
  let handler: (request: Request) => Promise<Response>;
  if (config.flavour === 'hono') {
    const [{ Hono }, { session }] = await Promise.all([import('hono'), import('../hono/index.js')]);
    const app = new Hono();
    app.use(session(manager, { onError: () => undefined }));
    app.all('*', (c) => conformanceResponse(c.get('session') as unknown as Session<ConformanceData>, c.req.raw));
    handler = async (request) => app.fetch(request);
  } else {
    handler = withSession(manager, (request, session) => conformanceResponse(session, request), { onError: () => undefined });
  }
  // The parent holds our stdin open: when it goes away (a crashed test run), so do we.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
  const runtime = globalThis as { Bun?: BunLike; Deno?: DenoLike };
  const ready = (port: number): void => void process.stdout.write(`${JSON.stringify({ port })}\n`);
  if (runtime.Bun !== undefined) {
    ready(runtime.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler }).port);
  } else if (runtime.Deno !== undefined) {
    runtime.Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => ready(port) }, handler);
  } else {
    throw new Error('run this file with bun or deno');
  }
}

if ((import.meta as { main?: boolean }).main === true) await main();
