// A minimal, standalone DBSC server for browser tests (plain node:http, no tessera): it offers
// registration on /login, verifies the `dbsc+jwt` proofs with jose, answers refreshes with
// 403 + Secure-Session-Challenge, and issues a short-lived bound cookie whose life runs on an
// injected clock. Every request and its headers are logged, to see what a browser sends.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export const LONG_COOKIE = 'dbsc_sid';
export const BOUND_COOKIE = 'dbsc_bound';
const ALGORITHMS = ['ES256', 'RS256'];

export interface LoggedExchange {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  status?: number;
  responseHeaders?: Record<string, unknown>;
  note?: string;
}

export interface DbscTestServerOptions {
  /** Epoch ms; the bound cookie's life and the challenges' life run on it. */
  now?: () => number;
  /** How long a bound cookie is good for, on the injected clock, in seconds. */
  boundLifetime?: number;
  /** The bound cookie's browser-side Max-Age, in seconds (the browser's own clock). */
  boundMaxAge?: number;
  /** Serve https with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Host name used in the URL (it must resolve to 127.0.0.1 in the browser). */
  host?: string;
  /** Which names the registration and challenge headers go out under: `Secure-Session-*` (default), `Sec-Session-*`, or both. */
  headerNames?: 'standard' | 'legacy' | 'both';
}

interface SessionRecord {
  sid: string;
  user: string;
  /** Outstanding challenges (value -> issued at, epoch ms), single use. */
  challenges: Map<string, number>;
  key?: CryptoKey;
  alg?: string;
  jwk?: JWK;
  dbscId?: string;
  registeredAt?: number;
  refreshes: number;
}

export interface DbscTestServer {
  url: string;
  log: LoggedExchange[];
  sessions: Map<string, SessionRecord>;
  /** Moves the injected clock on (only when the server owns its clock). */
  advance(seconds: number): void;
  /** Resolves with the first answered exchange (logged or to come) that matches; rejects after `timeoutMs`. */
  waitFor(match: (entry: LoggedExchange) => boolean, timeoutMs?: number): Promise<LoggedExchange>;
  close(): Promise<void>;
}

const CHALLENGE_LIFETIME_MS = 5 * 60_000;

function challenge(): string {
  return randomBytes(18).toString('base64url');
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startDbscTestServer(options: DbscTestServerOptions = {}): Promise<DbscTestServer> {
  let offset = 0;
  const now = options.now ?? (() => Date.now() + offset);
  const boundLifetime = options.boundLifetime ?? 60;
  const boundMaxAge = options.boundMaxAge ?? 600;
  const secret = randomBytes(32);
  const log: LoggedExchange[] = [];
  const waiters = new Set<(entry: LoggedExchange) => void>();
  const sessions = new Map<string, SessionRecord>();
  const byDbscId = new Map<string, SessionRecord>();
  const secure = '; Secure';
  const boundAttributes = `Path=/${secure}; HttpOnly; SameSite=Lax`;
  let origin = '';

  const mac = (text: string) => createHmac('sha256', secret).update(text).digest('base64url');
  const boundValue = (record: SessionRecord) => {
    const body = `${record.sid}.${now() + boundLifetime * 1000}`;
    return `${body}.${mac(body)}`;
  };
  /** 'valid' | 'expired' | 'missing' for this session's bound cookie. */
  const boundState = (record: SessionRecord, value: string | undefined) => {
    if (!value) return 'missing';
    const [sid, expires, tag] = value.split('.');
    if (!sid || !expires || !tag) return 'missing';
    const want = Buffer.from(mac(`${sid}.${expires}`));
    const got = Buffer.from(tag);
    if (sid !== record.sid || want.length !== got.length || !timingSafeEqual(want, got)) return 'missing';
    return Number(expires) > now() ? 'valid' : 'expired';
  };
  const newChallenge = (record: SessionRecord) => {
    const value = challenge();
    record.challenges.set(value, now());
    return value;
  };
  const takeChallenge = (record: SessionRecord, value: unknown) => {
    if (typeof value !== 'string') return false;
    const issuedAt = record.challenges.get(value);
    record.challenges.delete(value);
    return issuedAt !== undefined && now() - issuedAt <= CHALLENGE_LIFETIME_MS;
  };
  const instructions = (record: SessionRecord) => ({
    session_identifier: record.dbscId,
    refresh_url: '/dbsc/refresh',
    scope: { origin, include_site: false, scope_specification: [{ type: 'exclude', domain: new URL(origin).hostname, path: '/login' }] },
    credentials: [{ type: 'cookie', name: BOUND_COOKIE, attributes: boundAttributes }],
  });
  const setDbscHeader = (res: ServerResponse, kind: 'registration' | 'challenge', value: string) => {
    const names = options.headerNames ?? 'standard';
    if (names !== 'legacy') res.setHeader(`secure-session-${kind}`, value);
    if (names !== 'standard') res.setHeader(`sec-session-${kind}`, value);
  };
  const proofHeader = (req: IncomingMessage) => {
    const value = req.headers['secure-session-response'] ?? req.headers['sec-session-response'];
    return typeof value === 'string' ? value.trim().replace(/^"(.*)"$/, '$1') : undefined;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, entry: LoggedExchange): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const cookies = parseCookies(req.headers.cookie);
    const record = sessions.get(cookies.get(LONG_COOKIE) ?? '');
    const send = (status: number, body: string, type = 'text/html; charset=utf-8') => {
      res.statusCode = status;
      res.setHeader('content-type', type);
      res.setHeader('cache-control', 'no-store');
      res.end(body);
    };

    if (url.pathname === '/login') {
      const fresh: SessionRecord = { sid: challenge(), user: url.searchParams.get('user') ?? 'ada', challenges: new Map(), refreshes: 0 };
      sessions.set(fresh.sid, fresh);
      const c = newChallenge(fresh);
      const offer = `(ES256 RS256);path="/dbsc/register";challenge="${c}"`;
      res.setHeader('set-cookie', `${LONG_COOKIE}=${fresh.sid}; Path=/${secure}; HttpOnly; SameSite=Lax; Max-Age=86400`);
      setDbscHeader(res, 'registration', offer);
      return send(200, `<!doctype html><title>in</title><p id="who">logged in as ${fresh.user}</p>`);
    }

    if (url.pathname === '/dbsc/register' && req.method === 'POST') {
      await readBody(req);
      const jws = proofHeader(req);
      if (!record || !jws) return send(400, 'no session or no proof', 'text/plain');
      try {
        const header = decodeProtectedHeader(jws);
        if (header.typ !== 'dbsc+jwt' || !ALGORITHMS.includes(String(header.alg)) || !header.jwk) throw new Error(`bad header ${JSON.stringify(header)}`);
        const key = await importJWK(header.jwk, header.alg);
        const { payload } = await compactVerify(jws, key as CryptoKey, { algorithms: ALGORITHMS });
        const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
        entry.note = `registration proof header=${JSON.stringify(header)} claims=${JSON.stringify(claims)}`;
        if (!takeChallenge(record, claims.jti)) throw new Error('challenge unknown, reused or stale');
        Object.assign(record, { key: key as CryptoKey, alg: header.alg, jwk: header.jwk, dbscId: challenge(), registeredAt: now() });
        byDbscId.set(record.dbscId!, record);
      } catch (error) {
        entry.note = `${entry.note ?? ''} refused: ${(error as Error).message}`;
        return send(400, 'bad proof', 'text/plain');
      }
      res.setHeader('set-cookie', `${BOUND_COOKIE}=${boundValue(record)}; ${boundAttributes}; Max-Age=${boundMaxAge}`);
      return send(200, JSON.stringify(instructions(record)), 'application/json');
    }

    if (url.pathname === '/dbsc/refresh' && req.method === 'POST') {
      await readBody(req);
      const id = String(req.headers['sec-secure-session-id'] ?? req.headers['sec-session-id'] ?? '').replace(/^"(.*)"$/, '$1');
      const bound = byDbscId.get(id);
      if (!bound || !record || bound !== record || !bound.key) return send(400, 'unknown session', 'text/plain');
      const jws = proofHeader(req);
      if (!jws) {
        const c = newChallenge(bound);
        setDbscHeader(res, 'challenge', `"${c}";id="${id}"`);
        return send(403, 'challenge', 'text/plain');
      }
      try {
        const header = decodeProtectedHeader(jws);
        if (header.jwk) throw new Error('a refresh proof must not carry jwk');
        if (header.alg !== bound.alg) throw new Error(`alg ${String(header.alg)} is not the registered ${bound.alg}`);
        const { payload } = await compactVerify(jws, bound.key, { algorithms: [bound.alg!] });
        const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
        entry.note = `refresh proof header=${JSON.stringify(header)} claims=${JSON.stringify(claims)}`;
        if (!takeChallenge(bound, claims.jti)) throw new Error('challenge unknown, reused or stale');
      } catch (error) {
        entry.note = `${entry.note ?? ''} refused: ${(error as Error).message}`;
        const c = newChallenge(bound);
        setDbscHeader(res, 'challenge', `"${c}";id="${id}"`);
        return send(403, 'bad proof', 'text/plain');
      }
      bound.refreshes += 1;
      res.setHeader('set-cookie', `${BOUND_COOKIE}=${boundValue(bound)}; ${boundAttributes}; Max-Age=${boundMaxAge}`);
      return send(200, JSON.stringify(instructions(bound)), 'application/json');
    }

    if (url.pathname === '/app') {
      if (!record) return send(401, '<p id="state">no session</p>');
      if (record.key) {
        const state = boundState(record, cookies.get(BOUND_COOKIE));
        entry.note = `bound cookie ${state}`;
        if (state === 'expired') {
          // Force a proof now: expire the bound cookie and send the browser back to the same URL.
          res.setHeader('set-cookie', `${BOUND_COOKIE}=; ${boundAttributes}; Max-Age=0`);
          res.setHeader('location', url.pathname + url.search);
          return send(307, '');
        }
        if (state === 'missing') return send(403, '<p id="state">bound cookie missing</p>');
      }
      return send(200, `<p id="state">hello ${record.user}${record.key ? ' (bound)' : ''}; refreshes ${record.refreshes}</p>`);
    }
    return send(404, 'not found', 'text/plain');
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const entry: LoggedExchange = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers } };
    log.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.responseHeaders = res.getHeaders();
      for (const waiter of [...waiters]) waiter(entry);
    });
    handle(req, res, entry).catch((error: unknown) => {
      entry.note = `crash: ${String(error)}`;
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `${options.tls ? 'https' : 'http'}://${options.host ?? 'localhost'}:${port}`;
  return {
    url: origin,
    log,
    sessions,
    advance: (seconds) => {
      offset += seconds * 1000;
    },
    waitFor: (match, timeoutMs = 10_000) => {
      const done = log.find((e) => e.status !== undefined && match(e));
      if (done) return Promise.resolve(done);
      return new Promise<LoggedExchange>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching request within ${timeoutMs} ms; log: ${log.map((e) => `${e.method} ${e.path} ${e.status}`).join(', ')}`));
        }, timeoutMs);
        const waiter = (entry: LoggedExchange) => {
          if (!match(entry)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(entry);
        };
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
