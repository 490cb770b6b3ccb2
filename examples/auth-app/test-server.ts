// Starts the demo for tests: 127.0.0.1, port 0, a temporary SQLite file, a FakeClock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/testing/index.js';
import { serve } from '../../test/support/http.js';
import { createApp } from './app.js';
import { sqliteBackend } from './store-from-env.js';
import type { UserRepository } from './users/types.js';

export interface TestApp {
  url: string;
  clock: FakeClock;
  users: UserRepository;
  close(): Promise<void>;
}

export const TEST_SECRET = 'auth-app-test-secret-0123456789abcdefghijkl';

export async function startTestApp(options: { idleTimeout?: number } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-auth-app-'));
  const clock = new FakeClock(Date.now());
  const backend = sqliteBackend(join(dir, 'demo.db'), { clock });
  await backend.users.init();
  const app = createApp({ store: backend.store, users: backend.users, secrets: TEST_SECRET, clock, idleTimeout: options.idleTimeout ?? 600 });
  const server = await serve(app);
  return {
    url: server.url,
    clock,
    users: backend.users,
    close: async () => {
      await server.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
