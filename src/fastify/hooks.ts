import type { FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler, onSendHookHandler } from 'fastify';
import type { ClientInfo, Session } from '../index.js';
import { SessionError } from '../index.js';
import type { PreparedCommit, SessionProtocol } from '../adapter/index.js';
import { asSessionError, nodeRequestHeader } from '../adapter/index.js';
import { addVary, applyHeaders, discard, failureReply, forErrorHandler } from './reply-headers.js';
import type { RequestState } from './request-state.js';
import { attachState, stateOf } from './request-state.js';

/** One registration's settings, resolved. */
export interface HookSettings {
  readonly protocol: SessionProtocol<object>;
  readonly decorator: string;
  readonly onStoreError: 'respond' | 'error';
  readonly recordClient: boolean;
  readonly onError: (error: SessionError, request: FastifyRequest) => void;
}

type Next = (error?: Error | null, payload?: unknown) => void;

function clientOf(request: FastifyRequest): ClientInfo {
  const ua = request.headers['user-agent'];
  return { ...(typeof ua === 'string' ? { userAgent: ua } : {}), ip: request.ip };
}

/** The three hooks of one registration: load in onRequest, commit in onSend, a late commit in onResponse for replies that skipped onSend. */
export function sessionHooks(settings: HookSettings): { onRequest: onRequestHookHandler; onSend: onSendHookHandler; onResponse: onResponseHookHandler } {
  const { protocol, decorator, onStoreError, recordClient, onError } = settings;
  const header = protocol.requestHeader;

  const report = (error: unknown, request: FastifyRequest): void => {
    try {
      onError(asSessionError(error, 'commit'), request);
    } catch {
      // A throwing onError must not leave the response hanging.
    }
  };
  const attach = (request: FastifyRequest, current: Session<object>): void => {
    attachState(request, current, protocol);
    (request as unknown as Record<string, unknown>)[decorator] = current;
  };
  const loadFailed = (request: FastifyRequest, reply: FastifyReply, error: unknown, next: (error?: Error) => void): void => {
    const sessionError = asSessionError(error, 'load');
    if (onStoreError === 'error') {
      next(forErrorHandler(sessionError));
      return;
    }
    report(sessionError, request);
    // Answered here: next() is not called, so no handler runs with an anonymous session.
    void reply.send(failureReply(reply, sessionError));
  };
  const commitFailed = (request: FastifyRequest, reply: FastifyReply, payload: unknown, error: unknown, next: Next): void => {
    const sessionError = asSessionError(error, 'commit');
    discard(payload);
    if (onStoreError === 'error') {
      next(forErrorHandler(sessionError));
      return;
    }
    report(sessionError, request);
    next(null, failureReply(reply, sessionError));
  };
  const finish = (state: RequestState, reply: FastifyReply, prepared: PreparedCommit): void => {
    applyHeaders(reply, prepared);
    state.sent = true;
    protocol.sent(state.session, prepared);
  };

  const onRequest: onRequestHookHandler = (request, reply, next) => {
    const existing = stateOf(request, protocol);
    if (existing !== undefined) {
      // The same manager registered again in a child context: one session per request.
      (request as unknown as Record<string, unknown>)[decorator] = existing.session;
      next();
      return;
    }
    let loading: Session<object> | Promise<Session<object>>;
    try {
      loading = protocol.load(nodeRequestHeader(request.raw, header), recordClient ? clientOf(request) : undefined);
    } catch (error) {
      loadFailed(request, reply, error, next);
      return;
    }
    // The store caller turns a store's thenables into native promises; any thenable is awaited all the same.
    if (typeof (loading as Partial<PromiseLike<unknown>>).then === 'function') {
      (loading as PromiseLike<Session<object>>).then(
        (current) => {
          attach(request, current);
          next();
        },
        (error: unknown) => loadFailed(request, reply, error, next),
      );
    } else {
      attach(request, loading as Session<object>);
      next();
    }
  };

  const onSend: onSendHookHandler = (request, reply, payload, next) => {
    const state = stateOf(request, protocol);
    // No session (the load failed and this is its answer), or the error handler's answer after a failed commit.
    if (state === undefined || state.finished) {
      next(null, payload);
      return;
    }
    state.finished = true;
    addVary(reply, header);
    let prepared: PreparedCommit;
    try {
      prepared = protocol.prepare(state.session);
    } catch (error) {
      commitFailed(request, reply, payload, error, next);
      return;
    }
    if (!prepared.pending) {
      finish(state, reply, prepared);
      next(null, payload);
      return;
    }
    // The store write completes before the headers leave: the next request (after a login redirect) finds the session.
    prepared
      .run()
      .then(
        () => {
          finish(state, reply, prepared);
          next(null, payload);
        },
        (error: unknown) => commitFailed(request, reply, payload, error, next),
      )
      .catch((error: unknown) => {
        // Fastify threw while sending (an invalid payload, say): answer as it does for a synchronous hook.
        if (!reply.sent && !reply.raw.headersSent) void reply.send(error);
        else report(error, request);
      });
  };

  // A reply that never reached onSend (reply.hijack(), or a write straight to reply.raw) ends here:
  // store work that needs no new cookie is done late; a change that needed one is reported.
  const onResponse: onResponseHookHandler = (request, _reply, next) => {
    const state = stateOf(request, protocol);
    if (state !== undefined && !state.finished) {
      state.finished = true;
      if (state.unsent && !state.sent) {
        report(new SessionError('ERR_SESSION_HEADERS_SENT', 'saveSession() put the session cookie on a reply that was then hijacked, so it was never sent: call reply.hijack() before saveSession()'), request);
      }
      try {
        if (!state.sent) protocol.sent(state.session, undefined);
        const prepared = protocol.prepare(state.session, { streaming: true });
        if (prepared.pending) prepared.run().catch((error: unknown) => report(error, request));
      } catch (error) {
        report(error, request);
      }
    }
    next();
  };
  return { onRequest, onSend, onResponse };
}
