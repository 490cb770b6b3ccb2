import { SessionError } from './errors.js';

/**
 * express-session's top-level options, each with what tessera does instead. A migration that
 * leaves one in place must hear about it: ignored, `secret` would read as a missing `secrets`,
 * `name` would keep the old cookie name in mind but not on the wire.
 */
const FOREIGN: Readonly<Record<string, string>> = {
  secret: 'pass secrets: one random secret of at least 32 bytes, or an array of them (the first signs)',
  name: 'the cookie name is cookie.name (default __Host-sid)',
  resave: 'a session is written only when it changed, or when its idle deadline needs moving (touchAfter)',
  saveUninitialized: 'a new session that holds no data is never stored',
  rolling: 'the idle deadline moves with activity (idleTimeout), refreshed at most once per touchAfter seconds',
  genid: 'session IDs are always 32 random bytes from the CSPRNG',
  unset: 'call session.destroy() to end a session',
  proxy: 'set cookie.secure: true when browsers reach the site over HTTPS, behind a TLS proxy too',
};

/** Throws `ERR_SESSION_CONFIG` naming the first express-session option found in `input`, and what to use. */
export function refuseForeignOptions(input: Partial<Record<string, unknown>>): void {
  for (const key of Object.keys(FOREIGN)) {
    if (input[key] !== undefined) throw new SessionError('ERR_SESSION_CONFIG', `${key} is an express-session option, not a tessera one: ${FOREIGN[key]}`);
  }
}
