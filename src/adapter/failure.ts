import { isSessionError } from '../core/errors.js';
import type { ResponseHeader } from '../core/transport.js';

/** The answer to a request whose session could not be loaded or committed. */
export interface FailureAnswer {
  /** 503 when the store failed, timed out or kept conflicting (worth a retry), 500 for anything else. */
  readonly status: 503 | 500;
  /** `content-type`, `cache-control: no-store`, and `retry-after: 1` on a 503. Set them, replacing what was there. */
  readonly headers: readonly ResponseHeader[];
  /** Plain text: `Service Unavailable` or `Internal Server Error`. */
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
const PLAIN: readonly ResponseHeader[] = [header('content-type', 'text/plain; charset=utf-8'), header('cache-control', 'no-store')];
const SERVICE_UNAVAILABLE: FailureAnswer = Object.freeze({ status: 503, headers: Object.freeze([...PLAIN, header('retry-after', '1')]), body: 'Service Unavailable' });
const INTERNAL: FailureAnswer = Object.freeze({ status: 500, headers: Object.freeze([...PLAIN]), body: 'Internal Server Error' });

/** What every adapter answers for a session failure (`error`, as it was thrown). */
export function failureAnswer(error: unknown): FailureAnswer {
  return isSessionError(error, 'ERR_SESSION_STORE') || isSessionError(error, 'ERR_SESSION_CONFLICT') ? SERVICE_UNAVAILABLE : INTERNAL;
}
