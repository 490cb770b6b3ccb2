import type { FastifyReply } from 'fastify';
import { isSessionError } from '../index.js';
import type { SessionError } from '../index.js';
import type { PreparedCommit } from '../adapter/index.js';
import { FAILURE_REMOVES, failureAnswer, nodeHeaderSink, varyWith, writeSessionHeaders } from '../adapter/index.js';

/** Applies a prepared commit's headers to a reply not yet sent: each Set-Cookie appended, the others set. */
export function applyHeaders(reply: FastifyReply, prepared: PreparedCommit): void {
  const headers = prepared.headers;
  // Fastify's reply.header() appends to set-cookie and replaces any other header.
  for (let i = 0; i < headers.length; i++) reply.header(headers[i]![0], headers[i]![1]);
}

/** Applies a prepared commit's headers straight to the raw response (a hijacked reply), if its headers have not left. */
export function applyRawHeaders(reply: FastifyReply, prepared: PreparedCommit): void {
  writeSessionHeaders(prepared.headers, nodeHeaderSink(reply.raw));
}

/** Adds the request header that carries the session (`Cookie`, or the header transport's) to `Vary`. */
export function addVary(reply: FastifyReply, header: string): void {
  const vary = varyWith(reply.getHeader('vary'), header);
  if (vary !== undefined) reply.header('vary', vary);
}

/**
 * Turns the reply into the failure answer (503 with `Retry-After`, or 500), with none of the
 * response's cookies, redirect or body headers, and returns its body. The reply's headers must not have left.
 */
export function failureReply(reply: FastifyReply, error: SessionError): string {
  const answer = failureAnswer(error, reply.request.headers.accept);
  for (const name of FAILURE_REMOVES) reply.removeHeader(name);
  reply.code(answer.status);
  for (const [name, value] of answer.headers) reply.header(name, value);
  return answer.body;
}

/** The error Fastify's error handler gets with `onStoreError: 'error'`: the `SessionError` with the status and headers to answer with. */
export interface SessionHttpError extends SessionError {
  /** 503 when the store failed, timed out or kept conflicting; 500 for anything else. */
  statusCode: number;
  /** On a 503, `Retry-After`. */
  headers?: Record<string, string>;
}

/**
 * Whether `error` is a session failure the plugin handed to your error handler
 * (`onStoreError: 'error'`): then it has its `statusCode` and `headers` to answer with.
 *
 * @example
 * app.setErrorHandler(async (error, request, reply) => {
 *   if (isSessionHttpError(error)) return reply.code(error.statusCode).headers(error.headers ?? {}).send({ error: 'try again' });
 *   throw error;
 * });
 */
export function isSessionHttpError(error: unknown): error is SessionHttpError {
  return isSessionError(error) && typeof (error as Partial<SessionHttpError>).statusCode === 'number';
}

/** The `SessionHttpError` of `error`, for Fastify's error handler. */
export function forErrorHandler(error: SessionError): SessionHttpError {
  const { status, headers } = failureAnswer(error);
  const retry = headers.filter(([name]) => name === 'retry-after');
  return Object.assign(error, retry.length > 0 ? { statusCode: status, headers: Object.fromEntries(retry) } : { statusCode: status });
}

/** Ends a payload the reply will not send (a stream replaced by the failure answer), so it holds no file or socket. */
export function discard(payload: unknown): void {
  if (payload === null || typeof payload !== 'object') return;
  const stream = payload as { destroy?: unknown; cancel?: unknown; body?: unknown };
  if (typeof stream.destroy === 'function') (stream.destroy as () => void)();
  else if (typeof stream.cancel === 'function') (stream.cancel as () => Promise<void>)().catch(() => {});
  // A fetch Response: its body, if it has one.
  else if (!(payload instanceof Uint8Array) && stream.body !== null && typeof stream.body === 'object') discard(stream.body);
}
