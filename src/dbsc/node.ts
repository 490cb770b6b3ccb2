import type { DbscEndpoints } from './endpoints.js';

/** The parts of a `node:http` (or Express) request the DBSC endpoints read. */
export interface NodeRequestLike {
  /** The request method. */
  method?: string | undefined;
  /** The request target (path and query). */
  url?: string | undefined;
  /** Express: the URL before any mount path was taken off. */
  originalUrl?: string | undefined;
  /** The request headers, as `node:http` gives them. */
  headers: Record<string, string | string[] | undefined>;
}

/** The parts of a `node:http` (or Express) response the DBSC endpoints write. */
export interface NodeResponseLike {
  /** The status code to send. */
  statusCode: number;
  /** Sets one response header. */
  setHeader(name: string, value: string | string[]): unknown;
  /** Sends the body and ends the response. */
  end(body?: string): unknown;
}

/** A Host header value as a URL host (a name or an address, an optional port), nothing else. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * A Web `Request` with the method, URL and headers of a `node:http` request (no body: the DBSC
 * endpoints read none), for mounting `createDbscEndpoints(manager).handle` on Fastify, Koa or
 * anything else built on `node:http`. The URL's host is the request's `Host` header (so that
 * `dbsc.scope` rules with a `domain` apply), `localhost` when it is missing or malformed.
 */
export function webRequestOf(req: NodeRequestLike): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    // node:http joins repeated headers with ", ", except Cookie with "; ".
    headers.set(name, Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value);
  }
  return new Request(urlOf(req.originalUrl ?? req.url ?? '/', req.headers.host), { method: req.method ?? 'GET', headers });
}

function urlOf(target: string, host: unknown): URL {
  if (typeof host === 'string' && HOST.test(host)) {
    try {
      return new URL(target, `http://${host}`);
    } catch {
      // A port out of range, say: as without a Host header.
    }
  }
  return new URL(target, 'http://localhost');
}

/**
 * The endpoints as `node:http` / Express middleware: answers the registration and refresh paths,
 * and calls `next()` for anything else (or answers 404 without `next`).
 *
 * @example
 * app.use(nodeDbscMiddleware(createDbscEndpoints(manager)));
 */
export function nodeDbscMiddleware(endpoints: DbscEndpoints): (req: NodeRequestLike, res: NodeResponseLike, next?: (error?: unknown) => void) => void {
  return (req, res, next) => {
    const request = webRequestOf(req);
    endpoints.handle(request).then(
      async (response) => {
        if (response === undefined) {
          if (next !== undefined) return next();
          res.statusCode = 404;
          res.end();
          return;
        }
        res.statusCode = response.status;
        const cookies = response.headers.getSetCookie();
        response.headers.forEach((value, name) => {
          if (name !== 'set-cookie') res.setHeader(name, value);
        });
        if (cookies.length > 0) res.setHeader('set-cookie', cookies);
        res.end(await response.text());
      },
      (error: unknown) => {
        if (next !== undefined) return next(error);
        res.statusCode = 500;
        res.end();
      },
    );
  };
}
