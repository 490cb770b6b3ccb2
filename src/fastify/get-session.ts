import type { FastifyRequest } from 'fastify';
import type { DefaultSessionData, Session } from '../index.js';
import { requireState } from './request-state.js';

/**
 * The session the plugin loaded on this request, typed by `T`: `request.session`, or the
 * property named by another registration's `decorator`. Where the plugin does not serve the
 * route (not registered, or registered in a sibling context), it throws `ERR_SESSION_NOT_LOADED`
 * naming the fix, where `request.session.get` would be a `TypeError`.
 *
 * @example
 * const manager = createSessionManager<Cart>({ secrets: process.env.SESSION_SECRET! });
 * await app.register(session, { manager });
 * app.get('/cart', async (request) => ({ items: getSession<Cart>(request).get('items') ?? [] }));
 */
export function getSession<T extends object = DefaultSessionData>(request: FastifyRequest, decorator = 'session'): Session<T> {
  return requireState(request, (request as unknown as Record<string, unknown>)[decorator], decorator).session as Session<T>;
}
