// The `tessera-session/next` entry: sessions in Next.js App Router code that has no Request and no
// Response of its own (Server Components, Server Actions), through what `headers()` and
// `cookies()` from `next/headers` give, which you pass in. Route handlers and the proxy have a
// Request: they use tessera-session/fetch. See docs/fetch.md, "Next.js App Router".
import type { ClientInfo, DefaultSessionData, Session, SessionManager } from '../index.js';
import { SessionError } from '../index.js';
import { asSessionError, sessionProtocol } from '../adapter/index.js';
import type { PreparedCommit } from '../adapter/index.js';
import { cookieInitOf } from './cookie-init.js';
import type { CookieInit } from './cookie-init.js';

export type { CookieInit } from './cookie-init.js';

/** What `await headers()` from `next/headers` is (any `Headers` will do). */
export interface HeaderReader {
  /** The header's value, or null when the request has none. */
  get(name: string): string | null;
}

/** What `await cookies()` from `next/headers` is: it can set cookies in a Server Action or a route handler; in a Server Component its `set` throws. */
export interface CookieWriter {
  /** Sets a cookie on the response (Next.js writes its own Set-Cookie from it). */
  set(cookie: CookieInit): unknown;
}

/** Options of {@link getSession}. */
export interface NextSessionOptions {
  /** Record the `User-Agent` of new and regenerated (logged-in) sessions, for `listSessions`. Default false. */
  recordClient?: boolean;
}

/**
 * The session the request names, from its headers: `await getSession(manager, await headers())`.
 * In a Server Component it is for reading: a change made while rendering cannot be saved, since
 * Next.js sets no cookie there. In a Server Action, change it and call {@link saveSession}.
 * Rejects with `ERR_SESSION_STORE` when the store fails: let it reach your error boundary rather
 * than go on with an anonymous session.
 *
 * @example
 * const session = await getSession(sessions, await headers());
 * const user = session.get('userId');
 */
export async function getSession<T extends object = DefaultSessionData>(manager: SessionManager<T>, headers: HeaderReader, options: NextSessionOptions = {}): Promise<Session<T>> {
  const protocol = sessionProtocol<T>(manager);
  let client: ClientInfo | undefined;
  if (options.recordClient === true) {
    const userAgent = headers.get('user-agent');
    client = userAgent === null ? {} : { userAgent };
  }
  try {
    return await protocol.load(headers.get(protocol.requestHeader), client);
  } catch (error) {
    throw asSessionError(error, 'load');
  }
}

const setCookiesOf = (prepared: PreparedCommit): string[] => prepared.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value);

/**
 * Saves `session` (the store write happens here) and sets its cookies through `cookies()`: in a
 * Server Action or a route handler, before `redirect()` (which throws). The cookies are set
 * first, so where Next.js refuses them (a Server Component) it throws before anything is
 * written. Rejects with a `SessionError` when the store fails (`ERR_SESSION_STORE`); the cookies
 * set before it then name a session that was not saved, so the visitor starts anew. It sets
 * cookies only: `destroy({ clearSiteData: true })` sends no `Clear-Site-Data` here (a Server
 * Action has no response headers); a route handler with `withSession` sends it.
 *
 * @example
 * 'use server';
 * export async function login(form: FormData) {
 *   const session = await getSession(sessions, await headers());
 *   session.regenerate();
 *   session.set('userId', await checkPassword(form));
 *   await saveSession(sessions, session, await cookies());
 *   redirect('/account');
 * }
 */
export async function saveSession<T extends object = DefaultSessionData>(manager: SessionManager<T>, session: Session<T>, cookies: CookieWriter): Promise<void> {
  const protocol = sessionProtocol<T>(manager);
  if (protocol.requestHeader !== 'cookie') {
    throw new SessionError('ERR_SESSION_CONFIG', 'saveSession sets cookies, and this manager uses the header transport: answer from a route handler with withSession (tessera-session/fetch)');
  }
  let prepared: PreparedCommit;
  try {
    prepared = protocol.prepare(session);
  } catch (error) {
    throw asSessionError(error, 'commit');
  }
  const before = setCookiesOf(prepared);
  for (const value of before) cookies.set(cookieInitOf(value));
  try {
    if (prepared.pending) await prepared.run();
  } catch (error) {
    throw asSessionError(error, 'commit');
  }
  // The cookie cache's cookie gets its value in run(): set the ones that changed again.
  setCookiesOf(prepared).forEach((value, i) => {
    if (value !== before[i]) cookies.set(cookieInitOf(value));
  });
  protocol.sent(session, prepared);
}
