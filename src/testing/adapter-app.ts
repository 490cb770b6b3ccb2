// The application the adapter conformance suite talks to, written once: an adapter's fixture
// routes every request to `conformanceReply` and sends what it returns.
import type { Session } from '../index.js';

/** The session data of the conformance app. */
export type ConformanceData = Record<string, unknown>;

/** What the fixture sends back: `status`, `headers`, a JSON body, streamed in `chunks` when `stream` is true. */
export interface ConformanceReply {
  /** The HTTP status. */
  readonly status: number;
  /** Response headers to set (lower case), besides `Content-Type: application/json`: a redirect's `location`, say. */
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** The body in pieces; send them as separate writes (a streamed body) when `stream` is true, else joined. */
  readonly chunks: readonly string[];
  /** Send the chunks as separate writes (a streamed body) rather than one. */
  readonly stream: boolean;
}

const json = (status: number, value: unknown, headers: ConformanceReply['headers'] = []): ConformanceReply => ({ status, headers, chunks: [JSON.stringify(value)], stream: false });

/**
 * Answers one request of the suite with the session the adapter loaded:
 * `GET /read`, `POST /count`, `POST /set?key=&value=&delay=` (waits `delay` ms between reading and
 * writing, so parallel requests overlap), `POST /login?user=&then=` (regenerate, then sign in;
 * with `then`, a 303 to it with an `etag` and a CORS header, as a login form's answer),
 * `POST /logout?clearSiteData=` (destroy; with `clearSiteData`, `Clear-Site-Data` too) and `GET /stream` (a change, then a body in three pieces).
 */
export async function conformanceReply(session: Session<ConformanceData>, method: string, url: string): Promise<ConformanceReply> {
  const { pathname, searchParams } = new URL(url, 'http://conformance.invalid');
  const route = `${method.toUpperCase()} ${pathname}`;
  switch (route) {
    case 'GET /read':
      return json(200, { isNew: session.isNew, count: session.get('count') ?? null, user: session.get('user') ?? null, data: session.toJSON() });
    case 'POST /count':
      return json(200, { count: session.update('count', (n) => (typeof n === 'number' ? n : 0) + 1) });
    case 'POST /set': {
      const delay = Math.min(Number(searchParams.get('delay') ?? 0) || 0, 1000);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      session.set(searchParams.get('key') ?? 'key', searchParams.get('value'));
      return json(200, { ok: true });
    }
    case 'POST /login': {
      session.regenerate();
      session.set('user', searchParams.get('user') ?? 'ada');
      const then = searchParams.get('then');
      return then === null ? json(200, { user: session.get('user') }) : json(303, { user: session.get('user') }, [['location', then], ['etag', '"login"'], ['access-control-allow-origin', '*']]);
    }
    case 'POST /logout':
      session.destroy({ clearSiteData: searchParams.has('clearSiteData') });
      return json(200, { ok: true });
    case 'GET /stream':
      session.set('streamed', true);
      return { status: 200, headers: [], chunks: ['{"part":[', '"one","two",', '"three"]}'], stream: true };
    default:
      return json(404, { error: `no route ${route}` });
  }
}
