// The load side: harvests session cookies from a server, and drives autocannon against it with
// the cookies rotated. Runs in the orchestrator process, never in a server's.
import autocannon from 'autocannon';

export type Scenario = 'S0' | 'S1' | 'S2' | 'S3';

/** The route each scenario hits; S0 (floor servers) uses the read route without a session. */
export const ROUTE: Record<Scenario, string> = { S0: '/read', S1: '/read', S2: '/write', S3: '/login' };

/** The Cookie header a browser would send back after these Set-Cookie values (name=value pairs only). */
export function cookieHeaderOf(setCookie: string[]): string {
  return setCookie.map((value) => value.split(';', 1)[0]!.trim()).join('; ');
}

/** Logs in `count` times (bounded concurrency) and returns one Cookie header per session. */
export async function harvestCookies(port: number, count: number, concurrency = 16): Promise<string[]> {
  const cookies: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const response = await fetch(`http://127.0.0.1:${port}/login`, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      const header = cookieHeaderOf(response.headers.getSetCookie());
      if (response.status !== 200 || header === '') throw new Error(`login gave ${response.status} and no cookie`);
      cookies.push(header);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return cookies;
}

/** Cookie headers of the same length as real ones, for the floor: the server parses the same bytes. */
export function dummyCookies(like: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `x${i}=${'a'.repeat(Math.max(1, like.length - 4))}`.slice(0, Math.max(like.length, 4)));
}

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  port: number;
  scenario: Scenario;
  /** Rotated, one per request across all connections; none for S3 (a login has no cookie). */
  cookies: string[];
  seconds: number;
  connections: number;
}

/** One autocannon run; every run is bounded by `seconds` and by a request count. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { cookies } = options;
  let next = 0;
  const path = ROUTE[options.scenario];
  const rotate = cookies.length > 0 && options.scenario !== 'S3';
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections,
    duration: options.seconds,
    maxOverallRequests: Math.ceil(options.seconds * 60_000),
    timeout: 10,
    requests: [
      {
        method: 'GET',
        path,
        setupRequest: (request) => {
          if (!rotate) return request;
          return { ...request, headers: { ...request.headers, cookie: cookies[next++ % cookies.length]! } };
        },
      },
    ],
  });
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
