// Probes of the local Redis and PostgreSQL with their own short-lived clients, for tests that do
// not keep a client of the probed kind: undefined when the service answers, else a skip reason
// (or, under CI, a failure: see requireService).
import pg from 'pg';
import { createClient } from 'redis';
import { pgUrl, redisUrl, requireService } from './services.js';

export function requireRedis(): Promise<string | undefined> {
  return requireService('Redis', async () => {
    const probe = createClient({ url: redisUrl(), socket: { reconnectStrategy: false } });
    probe.on('error', () => {});
    await probe.connect();
    try {
      await probe.ping();
    } finally {
      probe.destroy();
    }
  });
}

export function requirePostgres(): Promise<string | undefined> {
  return requireService('PostgreSQL', async () => {
    const probe = new pg.Client({ connectionString: pgUrl() });
    await probe.connect();
    try {
      await probe.query('SELECT 1');
    } finally {
      await probe.end();
    }
  });
}
