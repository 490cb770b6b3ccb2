import type { FastifyRequest } from 'fastify';
import type { Session } from '../index.js';
import { SessionError } from '../index.js';
import type { SessionProtocol } from '../adapter/index.js';

/** What one plugin registration keeps about one request: its session and where its commit stands. */
export interface RequestState {
  readonly session: Session<object>;
  readonly protocol: SessionProtocol<object>;
  /** The commit at the end (onSend, or onResponse for a reply that skipped onSend) has started: nothing more to do. */
  finished: boolean;
  /** `protocol.sent` was called (the session's headers were applied, by onSend or `saveSession`). */
  sent: boolean;
  /** `saveSession` put the session's headers on the reply (not hijacked then); onSend sends them. */
  unsent: boolean;
  /** The state of another registration (another manager) on the same request. */
  readonly next: RequestState | null;
}

/** The request slot the states hang on (a request decorator, so that every request has the same shape). */
export const STATE = Symbol('tessera-session.fastify');

type WithState = FastifyRequest & { [STATE]: RequestState | null };

/** The state of `protocol` on this request, if its hook loaded a session. */
export function stateOf(request: FastifyRequest, protocol: SessionProtocol<object>): RequestState | undefined {
  for (let state = (request as WithState)[STATE]; state; state = state.next) {
    if (state.protocol === protocol) return state;
  }
  return undefined;
}

/** The state that holds `session` on this request, if any. */
export function stateOfSession(request: FastifyRequest, session: unknown): RequestState | undefined {
  for (let state = (request as WithState)[STATE]; state; state = state.next) {
    if (state.session === session) return state;
  }
  return undefined;
}

/**
 * The state of `session` (the value of `request.<property>`, when the caller knows the property),
 * or `ERR_SESSION_NOT_LOADED` naming the fix where the plugin does not serve this route.
 */
export function requireState(request: FastifyRequest, session: unknown, property: string | undefined): RequestState {
  const state = stateOfSession(request, session);
  if (state === undefined) {
    const where = property === undefined ? 'no such session on this request' : `no session on request.${property}`;
    const registration = property === undefined || property === 'session' ? '' : ` with { decorator: '${property}' }`;
    throw new SessionError('ERR_SESSION_NOT_LOADED', `${where}: register the session plugin${registration} in this route's context or a parent of it`);
  }
  return state;
}

/** Records a loaded session on the request. */
export function attachState(request: FastifyRequest, session: Session<object>, protocol: SessionProtocol<object>): RequestState {
  const state: RequestState = { session, protocol, finished: false, sent: false, unsent: false, next: (request as WithState)[STATE] };
  (request as WithState)[STATE] = state;
  return state;
}
