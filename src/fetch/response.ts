// Responses of the Fetch adapter: the session's headers put on the handler's Response (on a copy
// when its headers are immutable), and the answer to a store that failed.
import type { ResponseHeader } from '../adapter/index.js';
import { FAILURE_REMOVES, failureAnswer, varyWith, writeSessionHeaders } from '../adapter/index.js';

/** Puts the headers on `headers`; the first write throws when they are immutable, before any change. */
function apply(headers: Headers, sessionHeaders: readonly ResponseHeader[], requestHeader: string): void {
  const vary = varyWith(headers.get('vary'), requestHeader);
  if (vary !== undefined) headers.set('vary', vary);
  writeSessionHeaders(sessionHeaders, headers);
}

/**
 * `response` with the session's headers and `Vary`. Headers are written in place when they can be;
 * a Response whose headers are immutable (`Response.redirect`, `Response.error`, a `fetch()`
 * result) is copied into a new Response with the same status and body first.
 */
export function withSessionHeaders(response: Response, sessionHeaders: readonly ResponseHeader[], requestHeader: string): Response {
  try {
    apply(response.headers, sessionHeaders, requestHeader);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  // A network error (status 0) or an upgrade (101) cannot be rebuilt as a Response: it goes as it is.
  if (response.status < 200) return response;
  // A Headers of its own: some Response classes (@hono/node-server's) would keep the immutable one given.
  const copy = new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
  apply(copy.headers, sessionHeaders, requestHeader);
  return copy;
}

/**
 * The answer when a session could not be loaded or committed: **503 with `Retry-After: 1`** when
 * the store failed, timed out or kept conflicting (`ERR_SESSION_STORE`, `ERR_SESSION_CONFLICT`),
 * 500 for anything else. Plain text, or JSON with the error's code when `request` prefers it
 * (`Accept: application/json`); `Cache-Control: no-store`, never a session cookie.
 */
export function sessionErrorResponse(error: unknown, request?: Request): Response {
  const answer = failureAnswer(error, request?.headers.get('accept'));
  return new Response(answer.body, { status: answer.status, headers: answer.headers.map(([name, value]) => [name, value]) });
}

/**
 * The failure answer in place of the handler's `replaced` response: its headers kept but for
 * `FAILURE_REMOVES` (so CORS and security headers still reach the client), `Vary` with the session's header.
 */
export function failureInPlaceOf(failure: unknown, replaced: Response, requestHeader: string, request: Request): Response {
  const answer = sessionErrorResponse(failure, request);
  replaced.headers.forEach((value, name) => {
    if (!FAILURE_REMOVES.includes(name) && !answer.headers.has(name)) answer.headers.set(name, value);
  });
  const vary = varyWith(answer.headers.get('vary'), requestHeader);
  if (vary !== undefined) answer.headers.set('vary', vary);
  return answer;
}
