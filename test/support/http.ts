import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CookieJar } from 'tough-cookie';

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `handler` (an Express app or a node:http listener) on 127.0.0.1, port 0. */
export async function serve(handler: RequestListener): Promise<RunningServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface BrowserResponse {
  status: number;
  headers: Headers;
  setCookie: string[];
  body: string;
}

/** A client with a real cookie jar (tough-cookie), the way a browser keeps cookies. */
export class Browser {
  /** Pass another browser's jar to share its cookies (cookies ignore the port). */
  constructor(
    readonly baseUrl: string,
    readonly jar = new CookieJar(),
  ) {}

  async request(path: string, init: RequestInit & { cookie?: string } = {}): Promise<BrowserResponse> {
    const url = new URL(path, this.baseUrl).toString();
    const headers = new Headers(init.headers);
    const cookie = init.cookie ?? (await this.jar.getCookieString(url));
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    const setCookie = response.headers.getSetCookie();
    for (const value of setCookie) await this.jar.setCookie(value, url, { ignoreError: true });
    return { status: response.status, headers: response.headers, setCookie, body: await response.text() };
  }

  get(path: string, init?: RequestInit & { cookie?: string }): Promise<BrowserResponse> {
    return this.request(path, init);
  }

  post(path: string, init?: RequestInit & { cookie?: string }): Promise<BrowserResponse> {
    return this.request(path, { ...init, method: 'POST' });
  }

  /** The raw cookie value the jar holds for `name`, if any. */
  async cookie(name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(this.baseUrl);
    return cookies.find((c) => c.key === name)?.value;
  }
}
