import type { FastifyReply, FastifyRequest } from 'fastify';
import { applyHeaders, applyRawHeaders } from './reply-headers.js';
import { requireState } from './request-state.js';

/**
 * Commits the session now and applies its headers: before `reply.hijack()` and writing to
 * `reply.raw` (an event stream, say), or to handle store errors in your own flow. Pass the session
 * of another registration (`request.adminSession`) to commit that one; the default is
 * `request.session`. The end of the response then commits only what changed afterwards; after a
 * hijack, a later change that needs another cookie throws `ERR_SESSION_HEADERS_SENT`.
 */
export async function saveSession(request: FastifyRequest, reply: FastifyReply, session?: object): Promise<void> {
  const state = requireState(request, session ?? (request as { session?: unknown }).session, session === undefined ? 'session' : undefined);
  if (reply.raw.headersSent && !state.sent) {
    // Too late for a cookie: a change that needs one fails with ERR_SESSION_HEADERS_SENT.
    state.sent = true;
    state.protocol.sent(state.session, undefined);
  }
  const prepared = state.protocol.prepare(state.session, { streaming: state.sent });
  await prepared.run();
  if (state.sent) return;
  if (!reply.sent) {
    // onSend commits again at the end: only what changed after this call.
    applyHeaders(reply, prepared);
    state.unsent = true;
    return;
  }
  // Hijacked: the caller writes the head next, so the cookie is settled from here on.
  applyRawHeaders(reply, prepared);
  state.sent = true;
  state.protocol.sent(state.session, prepared);
}
