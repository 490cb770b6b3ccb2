// The suite's HTTP client: real requests to one origin, with a cookie jar that keeps, replaces and
// drops cookies the way a browser does for that origin, and the token of the header transport.

/** One response as the suite sees it. */
export interface ClientResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly setCookie: readonly string[];
  readonly body: string;
}

/** Request options: `cookie` replaces the jar's Cookie header (a replayed or forged cookie). */
export interface ClientRequest {
  readonly cookie?: string;
  readonly headers?: Record<string, string>;
}

/** A visitor: its cookie jar (and, with the header transport, its token) persist across requests. */
export class ConformanceClient {
  readonly #jar = new Map<string, string>();
  /** The header transport's token, as the last response gave it. */
  token: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly transport: { readonly request: string; readonly response: string } | undefined = undefined,
  ) {}

  /** The Cookie header the jar sends (`name=value; ...`), or '' when it holds none. */
  cookieHeader(): string {
    return [...this.#jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** The value the jar holds for `name`. */
  cookie(name: string): string | undefined {
    return this.#jar.get(name);
  }

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

  get(path: string, options?: ClientRequest): Promise<ClientResponse> {
    return this.send('GET', path, options);
  }

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
