// Store round trips under real latency: a TCP proxy (lib/latency-proxy.ts) adds N ms each way
// between each server and Redis / PostgreSQL, and the same bounded autocannon load runs against
// tessera and express-session on each store, one delay at a time, all in one run.
// Runs in the orchestrator (bench/run.ts: the `latency` section, --skip=latency leaves it out).
import type { LoadResult, Scenario } from './lib/load.js';
import { harvestCookies, runLoad } from './lib/load.js';
import type { LatencyProxy } from './lib/latency-proxy.js';
import { startLatencyProxy } from './lib/latency-proxy.js';
import { startServer } from './lib/server-process.js';
import { fmt, table } from './lib/stats.js';
import { PG_URL, REDIS_URL } from './lib/stores.js';
import { TARGETS } from './lib/targets.js';
import type { Target } from './lib/targets.js';

export interface LatencyConfig {
  /** Added each way, ms. */
  delays: number[];
  seconds: number;
  warmupSeconds: number;
  connections: number;
  sessions: number;
  only: string[];
  log: (line: string) => void;
}

/** Seconds the "+ cookie cache" servers trust a cached copy (`cookieCache.maxAge`); longer than a run, so S1 reads hit. */
const CACHE_MAX_AGE = 300;

/**
 * tessera with the cookie cache (docs/cookie-cache.md): a sealed copy of the session in a second
 * cookie, read without a round trip. Only in this section (not in lib/targets.ts, which the HTTP
 * section runs in full).
 */
const CACHED: Target[] = (['redis', 'postgres'] as const).map((store) => {
  const base = TARGETS.find((t) => t.name === `tessera-${store}`)!;
  return { ...base, name: `tessera-${store}-cookie-cache`, label: `${base.label} + cookie cache`, env: { BENCH_COOKIE_CACHE: String(CACHE_MAX_AGE) } };
});

/** The servers compared, each behind the proxy of its store. Every server gets both stores' proxy URLs and uses its own. */
const COMPARED: Array<{ name: string }> = [
  { name: 'tessera-redis' },
  { name: 'tessera-redis-cookie-cache' },
  { name: 'express-session-redis' },
  { name: 'tessera-postgres' },
  { name: 'tessera-postgres-cookie-cache' },
  { name: 'express-session-postgres' },
];
const SCENARIOS: Scenario[] = ['S1', 'S2'];

/** The URL with its host and port replaced by the proxy's. */
function through(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

const targetOf = (url: string): { host: string; port: number } => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
};

export async function runLatency(config: LatencyConfig): Promise<string> {
  const compared = COMPARED.filter((c) => config.only.length === 0 || config.only.some((o) => c.name.includes(o)));
  const rows: string[][] = [];
  for (const delay of config.delays) {
    const proxies: Record<'redis' | 'postgres', LatencyProxy> = {
      redis: await startLatencyProxy(targetOf(REDIS_URL), delay),
      postgres: await startLatencyProxy(targetOf(PG_URL), delay),
    };
    try {
      for (const { name } of compared) {
        const target = [...TARGETS, ...CACHED].find((t) => t.name === name)!;
        config.log(`  ${delay} ms each way: ${target.label}`);
        const env = { ...target.env, TESSERA_TEST_REDIS_URL: through(REDIS_URL, proxies.redis.port), TESSERA_TEST_PG_URL: through(PG_URL, proxies.postgres.port), BENCH_RUN_ID: `lat_${process.pid}_${delay}`, BENCH_STORE_TIMEOUT: '10' };
        const started = await startServer(target.file, target.arg, env);
        if (!started.ok) {
          rows.push([`${delay}`, target.label, 'all', `**not run**: ${started.reason}`, '', '', '']);
          continue;
        }
        try {
          const cookies = await harvestCookies(started.server.port, config.sessions);
          for (const scenario of SCENARIOS) {
            const load = { port: started.server.port, scenario, cookies, connections: config.connections };
            await runLoad({ ...load, seconds: config.warmupSeconds });
            const result: LoadResult = await runLoad({ ...load, seconds: config.seconds });
            rows.push([`${delay}`, target.label, scenario, fmt(result.reqPerSec), fmt(result.p50, 1), fmt(result.p99, 1), fmt(result.errors + result.non2xx)]);
          }
        } catch (error) {
          rows.push([`${delay}`, target.label, 'all', `**failed**: ${(error as Error).message.split('\n')[0]!}`, '', '', '']);
        } finally {
          await started.server.stop();
        }
      }
    } finally {
      await Promise.all([proxies.redis.close(), proxies.postgres.close()]);
    }
  }
  return (
    `A TCP proxy adds the given delay each way between the server and its store (Redis or PostgreSQL on this machine), so each store round trip costs twice that more. ` +
    `Per server: ${fmt(config.sessions)} logins through the proxy, then per scenario a ${config.warmupSeconds} s warm-up and a ${config.seconds} s measured autocannon run, ` +
    `${config.connections} connections, the cookies rotated. S1: read an existing session; S2: change it every request. tessera runs with storeTimeout 10 s (its default of 1 s bounds a store call; express-session has no bound). ` +
    `"+ cookie cache": tessera with \`cookieCache: { maxAge: ${CACHE_MAX_AGE} }\` (docs/cookie-cache.md): S1 reads come from the cache cookie without a store round trip. ` +
    'The load tool sends the cookies of the logins and never keeps the ones a response sets, so in S2 every write after the first of a session starts from a cache older than the record ' +
    '(a browser keeps the re-issued cache): its compare-and-set fails, the record is re-read and merged, and written again: three round trips, the worst case, where the rows without the cache do two (a get, a compare-and-set).\n\n' +
    table(['added each way, ms', 'library', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors + non-2xx'], rows)
  );
}
