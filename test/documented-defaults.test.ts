// ASVS 7.1.1: the idle and absolute timeouts (and every other default) are documented, and the
// documents say what the code does: the README's options table and security.md's "Secure
// defaults at a glance" are read and compared with DEFAULTS, and a manager made with no
// timeout options ends a session exactly at those deadlines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULTS, createSessionManager } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const security = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');
const SECRET = 'documented-defaults-secret-0123456789abcd';

const lines = readme.split('\n');
const tableStart = lines.indexOf('| option | default | meaning |');
const optionRows = lines.slice(tableStart + 2, lines.indexOf('', tableStart));

/** The default column of the README options table's row for `option` (its first cell names it). */
function readmeDefault(option: string): string {
  assert.ok(tableStart >= 0, 'the README has its options table');
  const row = optionRows.find((line) => line.split(' | ')[0]!.includes(`\`${option}\``));
  assert.ok(row !== undefined, `the README options table has a row for ${option}`);
  return row.split(' | ')[1]!;
}
const spelled = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : String(value));

describe('ASVS 7.1.1 documented defaults', () => {
  it('ASVS 7.1.1 every default the README options table lists is the one in DEFAULTS', () => {
    const listed = ['lifetime', 'idleTimeout', 'persistent', 'userKey', 'hashStoreKeys', 'maxRecordBytes', 'storeTimeout', 'maxCommitRetries', 'renewGrace'] as const;
    for (const option of listed) {
      assert.ok(readmeDefault(option).includes(`\`${spelled(DEFAULTS[option])}\``), `README: ${option} is documented as ${readmeDefault(option)}, the code says ${spelled(DEFAULTS[option])}`);
    }
  });

  it('ASVS 7.1.1 security.md states the idle and absolute timeouts the code has', () => {
    const row = security.split('\n').find((line) => line.startsWith('| Timeouts |'));
    const thousands = (n: number): string => n.toLocaleString('en').replace(/,/g, ' ');
    assert.ok(row?.includes(`\`idleTimeout\` ${thousands(DEFAULTS.idleTimeout)} s (${DEFAULTS.idleTimeout / 60} min)`), row);
    assert.ok(row?.includes(`\`lifetime\` ${thousands(DEFAULTS.lifetime)} s (${DEFAULTS.lifetime / 3600} h)`), row);
  });

  it('ASVS 7.1.1 with no timeout options, an idle session ends at idleTimeout and a busy one at lifetime', async () => {
    const clock = new FakeClock();
    const manager = createSessionManager({ secrets: SECRET, clock });
    const start = async (): Promise<string> => {
      const s = await manager.load(undefined);
      s.set('userId', 'ada');
      return (await manager.commit(s)).setCookie[0]!.split(';')[0]!;
    };
    const idle = await start();
    clock.advance(DEFAULTS.idleTimeout - 1);
    assert.equal((await manager.load(idle)).get('userId'), 'ada', 'one second before the idle deadline');
    clock.advance(DEFAULTS.idleTimeout);
    assert.equal((await manager.load(idle)).get('userId'), undefined, 'idle past idleTimeout');

    const busy = await start();
    const startedAt = clock.now();
    // Used every 10 minutes: never idle, so only the absolute lifetime ends it.
    while (clock.now() + 600_000 < startedAt + DEFAULTS.lifetime * 1000) {
      clock.advance(600);
      const s = await manager.load(busy);
      assert.equal(s.get('userId'), 'ada');
      await manager.commit(s);
    }
    clock.set(startedAt + DEFAULTS.lifetime * 1000);
    assert.equal((await manager.load(busy)).get('userId'), undefined, 'ended at lifetime');
  });
});
