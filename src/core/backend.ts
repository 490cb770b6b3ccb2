import type { Keyring } from './crypto/keyring.js';
import { hashStoreKey } from './crypto/random.js';
import type { SessionEventType } from './events.js';
import type { ResolvedOptions } from './options.js';
import type { SessionState } from './session.js';
import type { ClientInfo } from './types.js';

/** What the manager gives a storage backend (store mode or cookie mode). */
export interface BackendContext {
  readonly options: ResolvedOptions;
  readonly keyring: Keyring;
  emit(type: SessionEventType, id?: string): void;
  idHash(id: string): string;
  /** A blank state for a session without an ID yet. */
  newState(now: number, client: ClientInfo | undefined): SessionState;
}

export function createBackendContext(options: ResolvedOptions, keyring: Keyring): BackendContext {
  const { clock } = options;
  const idHash = (id: string): string => hashStoreKey(id).slice(0, 16);
  return {
    options,
    keyring,
    idHash,
    emit(type, id) {
      if (options.onEvent === undefined) return;
      try {
        options.onEvent({ type, at: clock.now(), ...(id ? { idHash: idHash(id) } : {}) });
      } catch {
        // A failing listener must not break the request.
      }
    },
    newState: (now, client) => ({
      id: '',
      loadedId: undefined,
      loadedText: undefined,
      data: Object.create(null) as Record<string, unknown>,
      createdAt: now,
      lastSeenAt: now,
      persistent: options.persistent,
      status: 'unchanged',
      touched: false,
      updaters: new Map(),
      client,
      lifetimeMs: options.lifetimeMs,
      idleMs: options.idleMs,
      now: clock.now,
      cookieSent: false,
      sentId: undefined,
      clearCookie: false,
      reissue: false,
      purgeKey: undefined,
    }),
  };
}
