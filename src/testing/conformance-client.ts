// The suite's HTTP client: real requests to one origin, with a cookie jar that keeps, replaces and
// drops cookies the way a browser does for that origin, and the token of the header transport.

/** One response as the suite sees it. */
export interface ClientResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers. */
  readonly headers: Headers;
  /** Every Set-Cookie value, in order. */
  readonly setCookie: readonly string[];
  /** The whole body, as text. */
  readonly body: string;
}

/** Request options: `cookie` replaces the jar's Cookie header (a replayed or forged cookie). */
export interface ClientRequest {
  /** A Cookie header sent instead of the jar's (a replayed or forged cookie). */
  readonly cookie?: string;
  /** Extra request headers; a token header given here replaces the client's token. */
  readonly headers?: Record<string, string>;
}

/** A visitor: its cookie jar (and, with the header transport, its token) persist across requests. */
export class ConformanceClient {
  readonly #jar = new Map<string, string>();
  /** The header transport's token, as the last response gave it. */
  token: string | undefined;

  /**
   * @param baseUrl The app's origin.
   * @param transport The header transport's header names (lower case), when the app uses it.
   */
  constructor(
    /** The app's origin, e.g. `http://127.0.0.1:3000`. */
    readonly baseUrl: string,
    /** The header transport's header names, when the app uses it; undefined for cookies. */
    readonly transport:
      | {
          /** The request header that carries the token (`authorization`: as `Bearer <token>`). */
          readonly request: string;
          /** The response header that carries a new token (empty: drop it). */
          readonly response: string;
        }
      | undefined = undefined,
  ) {}

  /** The Cookie header the jar sends (`name=value; ...`), or '' when it holds none. */
  cookieHeader(): string {
    return [...this.#jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** The value the jar holds for `name`. */
  cookie(name: string): string | undefined {
    return this.#jar.get(name);
  }

  /** Sends a request with the jar's cookies (and token), and keeps what the response sets. */
  async send(method: string, path: string, options: ClientRequest = {}): Promise<ClientResponse> {
    const headers = new Headers(options.headers);
    const cookie = options.cookie ?? this.cookieHeader();
    if (cookie !== '') headers.set('cookie', cookie);
    if (this.transport !== undefined && this.token !== undefined && !headers.has(this.transport.request)) {
      headers.set(this.transport.request, this.transport.request === 'authorization' ? `Bearer ${this.token}` : this.token);
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const setCookie = response.headers.getSetCookie();
    for (const line of setCookie) this.#store(line);
    const token = this.transport === undefined ? null : response.headers.get(this.transport.response);
    if (token !== null) this.token = token === '' ? undefined : token;
    return { status: response.status, headers: response.headers, setCookie, body: await response.text() };
  }

  /** A GET request (see `send`). */
  get(path: string, options?: ClientRequest): Promise<ClientResponse> {
    return this.send('GET', path, options);
  }

  /** A POST request without a body (see `send`). */
  post(path: string, options?: ClientRequest): Promise<ClientResponse> {
    return this.send('POST', path, options);
  }

  /** RFC 6265 §5.3 for one origin: a cookie with Max-Age ≤ 0 or an Expires in the past is removed. */
  #store(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let expired = false;
    let maxAgeSeen = false;
    for (const attribute of attributes) {
      const [key = '', raw = ''] = attribute.split('=');
      const k = key.trim().toLowerCase();
      if (k === 'max-age') {
        maxAgeSeen = true;
        expired = Number(raw.trim()) <= 0;
      } else if (k === 'expires' && !maxAgeSeen) {
        expired = Date.parse(raw.trim()) <= Date.now();
      }
    }
    if (expired) this.#jar.delete(name);
    else this.#jar.set(name, value);
  }
}
