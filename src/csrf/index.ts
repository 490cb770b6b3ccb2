// `tessera-session/csrf`: CSRF tokens bound to the session (synchronizer tokens, checked in constant time).
import { SessionError } from '../index.js';
import type { Session } from '../index.js';
import { checkToken, isSecret, newSecret, signToken } from './token.js';

export { TOKEN_LENGTH } from './token.js';

/** Options of `createCsrf`. */
export interface CsrfOptions {
  /** The session key that holds the secret. Default `csrfSecret`. */
  key?: string;
  /** The form field a token is read from (`req.body[field]`). Default `_csrf`. */
  field?: string;
  /** The request header a token is read from. Default `x-csrf-token`. */
  header?: string;
}

/**
 * What the CSRF check reads from a request. `node:http`'s `IncomingMessage` and Express's
 * `Request` fit; it is spelled out so that this entry's types do not need Node's.
 */
export interface CsrfRequest {
  /** The HTTP method; GET, HEAD, OPTIONS and TRACE are let through. */
  readonly method?: string | undefined;
  /** The request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed body, when a body parser ran. */
  readonly body?: unknown;
}

/** What the default failure answer writes to. `node:http`'s `ServerResponse` and Express's `Response` fit. */
export interface CsrfResponse {
  /** The status code to send. */
  statusCode: number;
  /** Sets one response header. */
  setHeader(name: string, value: string | number): unknown;
  /** Sends `body` and ends the response. */
  end(body: string): unknown;
}

/** The `next` callback of a middleware: an error, or nothing to go on. */
export type CsrfNext = (error?: unknown) => void;

/** The middleware `protect()` returns, for Express, Connect and plain `node:http`. */
export type CsrfMiddleware<Req extends CsrfRequest = CsrfRequest, Res extends CsrfResponse = CsrfResponse> = (req: Req, res: Res, next: CsrfNext) => void;

type AnySession = Session<object>;

/**
 * Options of `protect()`. `Req` and `Res` are your framework's request and response types, taken
 * from the parameters of your callbacks when you annotate them (`(req: Request, res: Response) => ...`).
 */
export interface CsrfProtectOptions<Req extends CsrfRequest = CsrfRequest, Res extends CsrfResponse = CsrfResponse> {
  /** The request's session. Default `req.session` (tessera-session/express). */
  session?: (req: Req) => Session<object> | undefined;
  /** Answers a request whose token is missing or wrong. Default: 403, plain text. */
  onFailure?: (req: Req, res: Res, next: CsrfNext) => void;
}

/** The CSRF helper `createCsrf` returns. */
export interface Csrf {
  /** The form field name tokens are read from. */
  readonly field: string;
  /** The header name tokens are read from (lower case). */
  readonly header: string;
  /** A token for a form or a header. Creates the session's secret when there is none (which stores the session). */
  token<T extends object>(session: Session<T>): string;
  /** Whether `token` belongs to this session. Constant time; never throws, whatever `token` is. */
  verify<T extends object>(session: Session<T>, token: unknown): boolean;
  /** A new secret: every earlier token stops working. Call it right after `regenerate()` at login. */
  renew<T extends object>(session: Session<T>): void;
  /** The token a request carries: the form field (a parsed `req.body`), else the header. */
  tokenOf(req: CsrfRequest): string | undefined;
  /** `<input type="hidden" ...>` with a fresh token, for server-rendered forms. */
  hiddenField<T extends object>(session: Session<T>): string;
  /**
   * For Fetch handlers and Hono: whether to let a Web `Request` through. Safe methods (GET, HEAD,
   * OPTIONS, TRACE) always; any other only with a valid token of `session`, from the header or,
   * when there is none, from the form field of a urlencoded or multipart body, read from a clone
   * (the handler can still read the body; a body already read counts as no token).
   */
  allows<T extends object>(session: Session<T>, request: Request): Promise<boolean>;
  /** Middleware that lets safe methods (GET, HEAD, OPTIONS, TRACE) through and checks the token on every other. */
  protect<Req extends CsrfRequest = CsrfRequest, Res extends CsrfResponse = CsrfResponse>(options?: CsrfProtectOptions<Req, Res>): CsrfMiddleware<Req, Res>;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

function checkName(what: string, value: string): string {
  if (!NAME.test(value)) throw new SessionError('ERR_SESSION_CONFIG', `csrf ${what} must be 1 to 64 letters, digits, '_' or '-'; got ${JSON.stringify(value)}`);
  return value;
}

// The session's data is typed by the app; the secret lives under a key the app chose.
const loose = (session: Session<object>): Session<Record<string, unknown>> => session as unknown as Session<Record<string, unknown>>;

/** A form was posted but nothing parsed it, and no header token came: the token in its field cannot have been read. */
function unparsedForm(req: CsrfRequest, header: string): boolean {
  const type = req.headers['content-type'];
  return req.body === undefined && req.headers[header] === undefined && typeof type === 'string' && /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type);
}

function defaultFailure(req: CsrfRequest, res: CsrfResponse, header: string): void {
  const body = unparsedForm(req, header)
    ? 'Forbidden: missing CSRF token (the form body was not parsed: mount a body parser such as express.urlencoded() before csrf.protect())'
    : 'Forbidden: invalid or missing CSRF token';
  res.statusCode = 403;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Creates the CSRF helper. The secret is 32 random bytes kept in the session; a token is a random
 * salt plus HMAC-SHA-256(secret, salt), so tokens differ on every page yet all verify.
 *
 * @example
 * const csrf = createCsrf();
 * app.use(express.urlencoded({ extended: false }), session(options), csrf.protect());
 * app.get('/form', (req, res) => res.send(`<form method="post">${csrf.hiddenField(req.session)}...</form>`));
 */
export function createCsrf(options: CsrfOptions = {}): Csrf {
  const key = checkName('key', options.key ?? 'csrfSecret');
  const field = checkName('field', options.field ?? '_csrf');
  const header = checkName('header', options.header ?? 'x-csrf-token').toLowerCase();

  const secretOf = (session: AnySession): string | undefined => {
    const value = loose(session).get(key);
    return isSecret(value) ? value : undefined;
  };

  const csrf: Csrf = {
    field,
    header,
    token(session) {
      let secret = secretOf(session);
      if (secret === undefined) {
        secret = newSecret();
        loose(session).set(key, secret);
      }
      return signToken(secret);
    },
    verify(session, token) {
      const secret = secretOf(session);
      return secret !== undefined && checkToken(secret, token);
    },
    renew(session) {
      loose(session).set(key, newSecret());
    },
    tokenOf(req) {
      const body = req.body;
      if (typeof body === 'object' && body !== null && Object.hasOwn(body, field)) {
        const value = (body as Record<string, unknown>)[field];
        if (typeof value === 'string') return value;
      }
      const value = req.headers[header];
      return typeof value === 'string' ? value : undefined;
    },
    async allows(session, request) {
      if (SAFE_METHODS.has(request.method)) return true;
      const fromHeader = request.headers.get(header);
      if (fromHeader !== null) return csrf.verify(session, fromHeader);
      const type = request.headers.get('content-type')?.split(';', 1)[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') return false;
      try {
        return csrf.verify(session, (await request.clone().formData()).get(field));
      } catch {
        return false; // a malformed or already-read body carries no token
      }
    },
    hiddenField(session) {
      // Tokens are base64url and a dot: nothing to escape in an attribute.
      return `<input type="hidden" name="${field}" value="${csrf.token(session)}">`;
    },
    protect<Req extends CsrfRequest, Res extends CsrfResponse>(protectOptions: CsrfProtectOptions<Req, Res> = {}): CsrfMiddleware<Req, Res> {
      const sessionOf = protectOptions.session ?? ((req: Req) => (req as Req & { session?: AnySession }).session);
      const onFailure = protectOptions.onFailure ?? ((req: Req, res: Res) => defaultFailure(req, res, header));
      return (req, res, next) => {
        if (SAFE_METHODS.has(req.method ?? 'GET')) {
          next();
          return;
        }
        const session = sessionOf(req);
        if (session === undefined) {
          next(new SessionError('ERR_SESSION_NOT_LOADED', 'csrf.protect() needs the session: mount the session middleware before it'));
          return;
        }
        if (csrf.verify(session, csrf.tokenOf(req))) next();
        else onFailure(req, res, next);
      };
    },
  };
  return csrf;
}
