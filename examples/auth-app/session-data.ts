// What the demo keeps in a session, typed through the manager's generic (no global augmentation).
import type { IncomingMessage } from 'node:http';
import type { Session } from '../../src/index.js';
import { getSession } from '../../src/express/index.js';

export interface Flash {
  kind: 'error' | 'success';
  text: string;
}

export interface Visit {
  path: string;
  /** Epoch ms. */
  at: number;
}

export interface AppSessionData {
  /** The logged-in user; also the key of the store's per-user index (the manager's `userKey`). */
  userId: string;
  /** Read once with `take()`. */
  flash: Flash;
  /** The last pages seen in this session, newest last. */
  visited: Visit[];
  /** Product ID to quantity; kept across login (regenerate keeps the data). */
  cart: Record<string, number>;
  /** The tessera-session/csrf secret. */
  csrfSecret: string;
  /** What a refused registration form held (never the password), shown once in the form again. */
  registerDraft: RegisterDraft;
}

export interface RegisterDraft {
  username: string;
  displayName: string;
}

export type AppSession = Session<AppSessionData>;

/** The request's session, typed. */
export function sessionOf(req: IncomingMessage): AppSession {
  return getSession<AppSessionData>(req);
}

export function flash(session: AppSession, kind: Flash['kind'], text: string): void {
  session.set('flash', { kind, text });
}
