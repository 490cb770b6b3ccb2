// Drives a server's request listener in its own process, without a network: real IncomingMessage
// and ServerResponse objects over a socket that discards what it is sent. What the server does
// per request is then measured without the kernel, the loopback and the load generator competing
// for the same two cores, so it is the steadiest figure for what a middleware adds.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { Scenario } from './load.js';
import { ROUTE } from './load.js';

class Discard extends Writable {
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
  override _writev(_chunks: unknown, callback: () => void): void {
    callback();
  }
}

/** A request that takes longer fails the run (BENCH_REQUEST_TIMEOUT_MS: longer under valgrind, which runs ~50× slower). */
const REQUEST_TIMEOUT_MS = Number(process.env.BENCH_REQUEST_TIMEOUT_MS ?? 5000);

/** One request through `listener`; resolves with the response's Set-Cookie values once it finished. */
function request(listener: RequestListener, path: string, cookie: string | undefined): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = new Request(new Socket()) as IncomingMessage;
    req.method = 'GET';
    req.url = path;
    req.headers = cookie === undefined ? { host: '127.0.0.1' } : { host: '127.0.0.1', cookie };
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.httpVersion = '1.1';
    req.complete = true;
    req.push(null);
    const res = new Response(req) as ServerResponse;
    const sink = new Discard();
    res.assignSocket(sink as unknown as Socket);
    const timer = setTimeout(() => reject(new Error(`${path} did not finish within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    res.on('finish', () => {
      clearTimeout(timer);
      res.detachSocket(sink as unknown as Socket);
      if (res.statusCode !== 200) reject(new Error(`${path} answered ${res.statusCode}`));
      const setCookie = res.getHeader('set-cookie');
      // Fastify passes its headers to writeHead() instead of setHeader(): read them from the header block written.
      const written = (res as ServerResponse & { _header?: string | null })._header ?? '';
      const fromBlock = written
        .split('\r\n')
        .filter((line) => line.toLowerCase().startsWith('set-cookie:'))
        .map((line) => line.slice('set-cookie:'.length).trim());
      resolve(setCookie === undefined ? fromBlock : Array.isArray(setCookie) ? setCookie : [String(setCookie)]);
    });
    listener(req, res);
  });
}

export interface InProcessResult {
  scenario: Scenario;
  cpuUsPerRequest: number;
  requests: number;
}

/**
 * Logs in `sessions` times (the floor has no session: it gets cookie headers of the same
 * length), warms up (`warmup` requests, at most `requests`), then runs `requests` requests one after another (at most `maxMs`),
 * rotating the cookies, and returns the CPU µs per request of this process.
 */
export async function driveInProcess(listener: RequestListener, scenario: Scenario, options: { sessions: number; requests: number; warmup: number; maxMs: number; markAt?: number }): Promise<InProcessResult> {
  const cookies: Array<string | undefined> = [];
  if (scenario !== 'S3') {
    for (let i = 0; i < options.sessions; i++) {
      const setCookie = await request(listener, '/login', undefined);
      const header = setCookie.map((c) => c.split(';', 1)[0]!).join('; ');
      cookies.push(header === '' ? `x${i}=${'a'.repeat(120)}` : header);
    }
  } else {
    cookies.push(undefined);
  }
  const path = ROUTE[scenario];
  let next = 0;
  const one = (): Promise<string[]> => request(listener, path, cookies[next++ % cookies.length]);
  for (let i = 0; i < Math.min(options.warmup, options.requests); i++) await one();
  const startedAt = performance.now();
  const cpu = process.cpuUsage();
  let requests = 0;
  // bench/instructions.ts: callgrind runs with --dump-before=uv_getrusage, so each
  // process.cpuUsage() call closes a dump; one more at request `markAt` splits the measured window
  // in two, and the second part (requests markAt+1 .. requests) is what two runs of markAt and
  // `requests` requests would differ by, in one run.
  const markAt = options.markAt ?? -1;
  while (requests < options.requests && performance.now() - startedAt < options.maxMs) {
    if (requests === markAt) process.cpuUsage();
    await one();
    requests++;
  }
  const used = process.cpuUsage(cpu);
  return { scenario, cpuUsPerRequest: (used.user + used.system) / requests, requests };
}
