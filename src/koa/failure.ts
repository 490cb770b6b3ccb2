import type { SessionError } from '../index.js';
import { isSessionError } from '../index.js';
import type { ResponseHeader } from '../adapter/index.js';
import type { AnyContext } from './entries.js';

/** 503 for a store that failed or kept conflicting (worth a retry), 500 for anything else. */
export function failureStatus(error: SessionError): 503 | 500 {
  return isSessionError(error, 'ERR_SESSION_STORE') || isSessionError(error, 'ERR_SESSION_CONFLICT') ? 503 : 500;
}

/** The headers of a failure answer: `Retry-After` on a 503, never cached. */
function failureHeaders(status: 503 | 500): Record<string, string> {
  return status === 503 ? { 'retry-after': '1', 'cache-control': 'no-store' } : { 'cache-control': 'no-store' };
}

/**
 * Replaces whatever the request had prepared (status, body, a stream, any Set-Cookie) with a
 * plain 503 (`Retry-After: 1`) or 500. With `ctx.respond = false`, Koa writes it all the same.
 * Does nothing once the headers left.
 */
export function respondFailure(ctx: AnyContext, error: SessionError): void {
  if (ctx.res.headersSent) return;
  const status = failureStatus(error);
  for (const name of ['set-cookie', 'content-length', 'content-encoding', 'content-type']) ctx.res.removeHeader(name);
  ctx.status = status;
  for (const [name, value] of Object.entries(failureHeaders(status))) ctx.res.setHeader(name, value);
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
  ctx.respond = true;
}

/**
 * Makes a SessionError something Koa's error handling answers as it should: `status` 503 or 500,
 * `expose` false, and `headers` (`Retry-After` on a 503) that Koa's default handler sets.
 */
export function asHttpError(error: SessionError): SessionError & { status: number; expose: boolean; headers: Record<string, string> } {
  const status = failureStatus(error);
  return Object.assign(error, { status, expose: false, headers: failureHeaders(status) });
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
