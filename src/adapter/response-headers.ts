// How a session's response headers meet a framework's response: one rule for every adapter.
import type { ResponseHeader } from '../core/transport.js';

/** A response's header setters: `append` adds a value (used for each `set-cookie`), `set` replaces one. */
export interface HeaderSink {
  /** Adds a value, keeping those already there (each `set-cookie`). */
  append(name: string, value: string): void;
  /** Replaces any value already there. */
  set(name: string, value: string): void;
}

/** What node:http's `ServerResponse` (and Bun's, Deno's) offers for headers. */
export interface NodeHeaderTarget {
  /** `res.appendHeader`: adds a value. */
  appendHeader(name: string, value: string): unknown;
  /** `res.setHeader`: replaces the value. */
  setHeader(name: string, value: string): unknown;
}

/** A node:http response (Express, Koa's `ctx.res`, Fastify's `reply.raw`) as a header sink. */
export function nodeHeaderSink(res: NodeHeaderTarget): HeaderSink {
  return { append: (name, value) => void res.appendHeader(name, value), set: (name, value) => void res.setHeader(name, value) };
}

/**
 * Writes a commit's headers in order: each `set-cookie` appended (one per cookie, after any the
 * application set), every other header (`cache-control`, the header transport's token) set.
 */
export function writeSessionHeaders(headers: readonly ResponseHeader[], sink: HeaderSink): void {
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (name === 'set-cookie') sink.append(name, value);
    else sink.set(name, value);
  }
}

/**
 * The `Vary` value with the session's request header added (spelled `Cookie` for the cookie), or
 * undefined when nothing needs to change: the header is listed already, or `Vary` is `*`.
 * `current` is the response's `Vary` as any framework reports it (string, list, number or nothing).
 */
export function varyWith(current: string | number | readonly string[] | null | undefined, requestHeader: string): string | undefined {
  const name = requestHeader === 'cookie' ? 'Cookie' : requestHeader;
  const text = current === null || current === undefined ? '' : Array.isArray(current) ? current.join(', ') : String(current);
  if (text.trim() === '') return name;
  for (const part of text.split(',')) {
    const value = part.trim().toLowerCase();
    if (value === '*' || value === requestHeader) return undefined;
  }
  return `${text}, ${name}`;
}
