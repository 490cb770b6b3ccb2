// Shared set-up for the cookie-mode tests: a cookie jar, a manager on a fake clock, and incompressible data.
import { FakeClock } from '../../testing/fake-clock.js';
import { createSessionManager } from '../manager.js';
import type { SessionManager } from '../manager.js';
import type { CookieModeOptions } from '../options.js';
import type { SessionEvent } from '../events.js';

export const SECRET = 'cookie-mode-secret-0123456789abcdefghijkl';
export const OLD_SECRET = 'cookie-mode-old-secret-0123456789abcdefgh';
export const NAME = '__Host-sid';

/** A minimal cookie jar: applies Set-Cookie values (clears remove) and renders a Cookie header. */
export class Jar {
  readonly cookies = new Map<string, string>();
  apply(setCookie: readonly string[]): void {
    for (const header of setCookie) {
      const pair = header.split(';')[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      if (/Max-Age=0/.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
  names(): string[] {
    return [...this.cookies.keys()].sort();
  }
}

export function setup(extra: Partial<CookieModeOptions> | ((clock: FakeClock) => Partial<CookieModeOptions>) = {}) {
  const clock = new FakeClock();
  const events: SessionEvent[] = [];
  const more = typeof extra === 'function' ? extra(clock) : extra;
  const manager = createSessionManager({ mode: 'cookie', secrets: SECRET, clock, onEvent: (e) => events.push(e), ...more });
  const jar = new Jar();
  const request = async (fn: (s: Awaited<ReturnType<SessionManager['load']>>) => void = () => {}) => {
    const session = await manager.load(jar.header());
    fn(session);
    const { setCookie } = await manager.commit(session);
    jar.apply(setCookie);
    return { session, setCookie };
  };
  return { clock, events, manager, jar, request };
}

/** Random text that does not compress or shrink: the cookie grows with it. */
export const noise = (chars: number): string => Buffer.from(Array.from({ length: Math.ceil((chars * 3) / 4) }, () => Math.floor(Math.random() * 256))).toString('base64').slice(0, chars);
