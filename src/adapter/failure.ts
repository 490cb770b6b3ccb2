import { isSessionError } from '../core/errors.js';
import type { ResponseHeader } from '../core/transport.js';
import { prefersJson } from './accept.js';

/** The answer to a request whose session could not be loaded or committed. */
export interface FailureAnswer {
  /** 503 when the store failed, timed out or kept conflicting (worth a retry), 500 for anything else. */
  readonly status: 503 | 500;
  /** `content-type` (text or JSON), `cache-control: no-store`, and `retry-after: 1` on a 503. Set them, replacing what was there. */
  readonly headers: readonly ResponseHeader[];
  /** Plain text, `Service Unavailable` or `Internal Server Error`; or, for a client that prefers JSON, `{"error":"Service Unavailable","code":"ERR_SESSION_STORE"}`. */
  readonly body: string;
}

/**
 * Response headers a failure answer removes from what the handler had prepared: they describe the
 * answer that is not sent (its cookies, its redirect, its body and that body's validators).
 * Others stay (CORS, security headers, `Vary`), so a browser can still read the failure.
 */
export const FAILURE_REMOVES: readonly string[] = Object.freeze([
  'set-cookie',
  'location',
  'refresh',
  'content-length',
  'content-encoding',
  'content-type',
  'content-language',
  'content-disposition',
  'content-location',
  'content-range',
  'content-digest',
  'repr-digest',
  'digest',
  'transfer-encoding',
  'etag',
  'last-modified',
  'expires',
  // A failed logout must not wipe what the 503 keeps.
  'clear-site-data',
]);

const header = (name: string, value: string): ResponseHeader => Object.freeze([name, value] as const);
const NO_STORE = header('cache-control', 'no-store');
const RETRY = header('retry-after', '1');
const TEXT = header('content-type', 'text/plain; charset=utf-8');
const JSON_TYPE = header('content-type', 'application/json; charset=utf-8');

function answer(status: 503 | 500, json: boolean, code: string | undefined): FailureAnswer {
  const reason = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
  const headers = [json ? JSON_TYPE : TEXT, NO_STORE, ...(status === 503 ? [RETRY] : [])];
  const body = json ? JSON.stringify(code === undefined ? { error: reason } : { error: reason, code }) : reason;
  return Object.freeze({ status, headers: Object.freeze(headers), body });
}
const SERVICE_UNAVAILABLE = answer(503, false, undefined);
const INTERNAL = answer(500, false, undefined);

/**
 * What every adapter answers for a session failure (`error`, as it was thrown). Pass the request's
 * `Accept` header to answer a client that prefers JSON (`application/json` rated highest) in JSON,
 * with the error's code; any other client gets plain text.
 */
export function failureAnswer(error: unknown, accept?: string | null): FailureAnswer {
  const unavailable = isSessionError(error, 'ERR_SESSION_STORE') || isSessionError(error, 'ERR_SESSION_CONFLICT');
  if (!prefersJson(accept)) return unavailable ? SERVICE_UNAVAILABLE : INTERNAL;
  return answer(unavailable ? 503 : 500, true, isSessionError(error) ? error.code : undefined);
}
