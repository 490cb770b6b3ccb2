// Noise-free cost per request: instructions counted by valgrind's callgrind, not time. Each
// Express server file runs in process (BENCH_IN_PROCESS, bench/lib/in-process-driver.ts) under
//   valgrind --tool=callgrind node --single-threaded --hash-seed=1 --random-seed=1 --predictable-gc-schedule
// twice, with the same logins and warm-up and two request counts; the difference in total
// instructions over the difference in counts is the cost of one request in steady state, start-up,
// logins, warm-up and JIT compilation cancelling out. Other processes on the machine do not change
// an instruction count (they do change timings by 20%). Store servers (Redis, PostgreSQL) are not
// counted: only this process's user-space instructions.
//   node bench/instructions.js [--quick] [--only=name,...] [--jobs=2] [--keep=<dir>] [--counts=2000,6000] [--sessions=1000]
//     [--scenarios=S1,S2] [--scenarios-for=S2:tessera-memory+express-session-memory] [--one-run]
//   (the compiled copy; `npm run bench -- --instructions` runs it with the defaults)
// --keep=<dir>: keep the callgrind files (<dir>/<target>-<scenario>-<count>.out) for callgrind_annotate.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Scenario } from './lib/load.js';
import { fmt, table } from './lib/stats.js';
import { FLOORS, TARGETS } from './lib/targets.js';
import type { Target } from './lib/targets.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = option('only')?.split(',').filter(Boolean) ?? [];
const jobs = Math.max(1, Number(option('jobs') ?? 2));
const keep = option('keep');
/**
 * `--one-run`: one valgrind run per figure instead of two. The run does the higher count of
 * requests and callgrind dumps its counters at every `process.cpuUsage()` (--dump-before=uv_getrusage):
 * the driver calls it at the start of the measured requests, after the lower count of them
 * (BENCH_MARK_AT), and at the end, so the third dump holds exactly the requests that two runs of
 * the two counts differ by, without the second run's start-up, logins and warm-up (about 60% of
 * the machine time). Two runs of the same thing still differ by some 10-70 M instructions (timers
 * on the real clock, a collection falling earlier or later): a few k per request at 4,000 requests.
 */
const oneRun = args.includes('--one-run');

/** The request counts compared, after the same logins and warm-up. */
// The warm-up stays at 2,000 in quick mode: after only 500 requests the JIT is still compiling,
// and a bare route then measured 1,330 k instructions per request instead of ~500 k.
const countsArg = option('counts')?.split(',').map(Number);
const COUNTS: readonly [number, number] = countsArg?.length === 2 ? [countsArg[0]!, countsArg[1]!] : quick ? [1000, 3000] : [2000, 6000];
const SESSIONS = Number(option('sessions') ?? (quick ? 200 : 1000));
const WARMUP = 2000;
/** One valgrind run at most this long (callgrind runs node ~50× slower, more on a busy machine). */
const RUN_TIMEOUT_MS = (quick ? 15 : 40) * 60_000;
const NODE_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1', '--predictable-gc-schedule'];

const NAMES = quick
  ? ['tessera-memory']
  : [
      'tessera-memory',
      'tessera-sealed',
      'tessera-redis',
      'tessera-express-session',
      'express-session-memory',
      'express-session-redis',
      'cookie-session',
      'iron-session',
      'tessera-fastify',
      'fastify-session',
    ];
const SCENARIOS = (option('scenarios')?.split(',') ?? (quick ? ['S1'] : ['S1', 'S2'])) as Scenario[];
/** `--scenarios-for=S2:tessera-memory+express-session-memory`: a scenario for some targets only (the floor always runs). */
const onlyFor = new Map((option('scenarios-for')?.split(',') ?? []).map((entry) => [entry.split(':')[0]!, entry.split(':')[1]!.split('+')] as const));
const chosen = NAMES.filter((name) => only.length === 0 || only.some((o) => name.includes(o))).map((name) => TARGETS.find((t) => t.name === name)!);
/** Each framework's floor (its bare route) runs whenever one of its libraries does; Express's always. */
const floors = (['express', 'fastify', 'koa', 'hono'] as const).filter((f) => f === 'express' || chosen.some((t) => t.framework === f)).map((f) => FLOORS[f]);
const targets: Target[] = [...floors, ...chosen];
const isFloor = (target: Target): boolean => FLOORS[target.framework] === target;

const work = mkdtempSync(join(tmpdir(), 'tessera-instructions-'));
if (keep !== undefined) mkdirSync(keep, { recursive: true });

/** Total instructions of one run of `target` at `requests` requests. */
async function count(target: Target, scenario: Scenario, requests: number, markAt?: number): Promise<number> {
  const file = fileURLToPath(new URL(`./servers/${target.file}.js`, import.meta.url));
  const out = join(keep ?? work, `${target.name}-${scenario}-${requests}.out`);
  const frozen = fileURLToPath(new URL('./lib/frozen-clock.js', import.meta.url));
  const dumps = markAt === undefined ? [] : ['--dump-before=uv_getrusage'];
  await promisify(execFile)('valgrind', ['--tool=callgrind', ...dumps, `--callgrind-out-file=${out}`, process.execPath, ...NODE_FLAGS, `--import=${frozen}`, file, ...(target.arg ? [target.arg] : [])], {
    env: {
      ...process.env,
      BENCH_IN_PROCESS: scenario,
      BENCH_REQUESTS: String(requests),
      ...(markAt === undefined ? {} : { BENCH_MARK_AT: String(markAt) }),
      BENCH_SESSIONS: String(SESSIONS),
      BENCH_WARMUP: String(WARMUP),
      BENCH_REQUEST_TIMEOUT_MS: '120000',
      BENCH_RUN_ID: `instr_${process.pid}_${target.name.replace(/\W/g, '_')}_${scenario}_${requests}`,
    },
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 24,
  });
  // With the dumps: <out>.1 start-up to the first measured request, .2 the first `markAt`, .3 the rest.
  const part = markAt === undefined ? out : `${out}.3`;
  const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(part, 'utf8'));
  if (keep === undefined) for (const f of [out, `${out}.1`, `${out}.2`, `${out}.3`]) rmSync(f, { force: true });
  if (total === null) throw new Error(`no instruction total in ${out}`);
  return Number(total[1]);
}

/** Instructions per request of `target` in `scenario`, or why it could not be measured. */
const results = new Map<string, number | string>();
const tasks = targets.flatMap((target) =>
  SCENARIOS.filter((scenario) => isFloor(target) || !onlyFor.has(scenario) || onlyFor.get(scenario)!.includes(target.name)).map((scenario) => ({ target, scenario })),
);
let next = 0;
async function worker(): Promise<void> {
  while (next < tasks.length) {
    const { target, scenario } = tasks[next++]!;
    const key = `${target.name} ${scenario}`;
    try {
      const [low, high] = oneRun ? [0, await count(target, scenario, COUNTS[1], COUNTS[0])] : await Promise.all(COUNTS.map((n) => count(target, scenario, n)));
      results.set(key, (high! - low!) / (COUNTS[1] - COUNTS[0]));
      console.error(`  ${key}: ${fmt(results.get(key) as number)} instructions per request`);
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '');
      const killed = (error as { killed?: boolean }).killed === true ? `killed after ${RUN_TIMEOUT_MS / 60_000} min` : undefined;
      const line = killed ?? stderr.split('\n').find((l) => /Error|error:|unavailable/.test(l)) ?? (error as Error).message.split('\n')[0]!;
      results.set(key, line.trim().slice(0, 200));
      console.error(`  ${key}: failed: ${line.trim().slice(0, 200)}`);
    }
  }
}
try {
  await Promise.all(Array.from({ length: Math.max(1, oneRun ? jobs : Math.floor(jobs / 2)) }, worker));
} finally {
  rmSync(work, { recursive: true, force: true });
}

const k = (value: number): string => `${fmt(value / 1000)} k`;
const cell = (target: Target, scenario: Scenario): [string, string] => {
  const value = results.get(`${target.name} ${scenario}`);
  const floor = results.get(`${FLOORS[target.framework].name} ${scenario}`);
  if (value === undefined) return ['not run', ''];
  if (typeof value !== 'number') return [`failed: ${value}`, ''];
  if (isFloor(target)) return [k(value), '—'];
  return [k(value), typeof floor === 'number' ? k(value - floor) : '—'];
};
console.log(
  `Instructions per request in process, each figure the difference between ${fmt(COUNTS[1])} and ${fmt(COUNTS[0])} requests ` +
    (oneRun ? `(one run of ${fmt(COUNTS[1])}, counters dumped after ${fmt(COUNTS[0])} of them: --one-run) ` : '') +
    `(after ${fmt(SESSIONS)} logins and ${fmt(WARMUP)} warm-up requests, ${fmt(SESSIONS)} sessions rotated) under \`valgrind --tool=callgrind\`, ` +
    `node ${NODE_FLAGS.join(' ')}, divided by ${fmt(COUNTS[1] - COUNTS[0])}; \`Date.now()\` frozen for the run (bench/lib/frozen-clock.ts: under callgrind's slowness every read would otherwise pass the idle-refresh interval and become a write). Read: S1 (an existing session, unchanged); write: S2 (a counter changed every request). ` +
    '"above the floor" is the bare route\'s figure of the same framework subtracted (Express 5, or Fastify for the Fastify rows). Store servers\' own work (Redis) is not counted; the client side is.\n',
);
console.log(
  table(
    ['in process', 'read: instructions/request', 'read: above the floor', 'write: instructions/request', 'write: above the floor'],
    targets.map((target) => [isFloor(target) ? `${target.label}` : target.label, ...cell(target, 'S1'), ...cell(target, 'S2')]),
  ),
);
