import type { SessionError } from '../index.js';
import type { ResponseHeader } from '../adapter/index.js';
import { FAILURE_REMOVES, failureAnswer } from '../adapter/index.js';
import type { AnyContext } from './entries.js';

/**
 * Replaces whatever the request had prepared (status, body, a stream, any Set-Cookie, a redirect)
 * with a plain 503 (`Retry-After: 1`) or 500. With `ctx.respond = false`, Koa writes it all the
 * same. Does nothing once the headers left.
 */
export function respondFailure(ctx: AnyContext, error: SessionError): void {
  if (ctx.res.headersSent) return;
  const answer = failureAnswer(error, ctx.req.headers.accept);
  for (const name of FAILURE_REMOVES) ctx.res.removeHeader(name);
  ctx.status = answer.status;
  for (const [name, value] of answer.headers) ctx.res.setHeader(name, value);
  ctx.body = answer.body;
  ctx.respond = true;
}

/**
 * Makes a SessionError something Koa's error handling answers as it should: `status` 503 or 500,
 * `expose` false, and `headers` (`Retry-After` on a 503) that Koa's default handler sets.
 */
export function asHttpError(error: SessionError): SessionError & { status: number; expose: boolean; headers: Record<string, string> } {
  const answer = failureAnswer(error);
  const headers = Object.fromEntries(answer.headers.filter(([name]) => name !== 'content-type'));
  return Object.assign(error, { status: answer.status, expose: false, headers });
}

/**
 * Copies the session's response headers onto an error thrown downstream, into the `headers`
 * Koa's default error handler sets after it clears every header: the session committed with
 * the error response keeps its cookie (or token). A value that is not an object, or a frozen
 * error, cannot carry them.
 */
export function carryHeaders(error: unknown, headers: readonly ResponseHeader[]): void {
  if (headers.length === 0 || error === null || typeof error !== 'object') return;
  const target = error as { headers?: unknown };
  try {
    const own = target.headers;
    const merged: Record<string, string | string[]> = typeof own === 'object' && own !== null ? { ...(own as Record<string, string | string[]>) } : {};
    for (const [name, value] of headers) {
      // Koa sets each key in turn, so one key per header, whatever case the error used.
      const key = Object.keys(merged).find((k) => k.toLowerCase() === name) ?? name;
      const prior = merged[key];
      merged[key] = name !== 'set-cookie' ? value : [...(prior === undefined ? [] : Array.isArray(prior) ? prior : [prior]), value];
    }
    target.headers = merged;
  } catch {
    // A frozen or read-only error: Koa answers it without the session's headers.
  }
}
