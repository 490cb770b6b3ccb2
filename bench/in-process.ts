// The Express middlewares without a network: each server file runs in a process of its own with
// BENCH_IN_PROCESS set, its request listener driven directly (bench/lib/in-process-driver.ts),
// one request at a time. Interleaved rounds; each round pairs every library with a floor run.
//   node bench/in-process.js [--quick]        (the compiled copy; `npm run bench` runs it)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { InProcessResult } from './lib/in-process-driver.js';
import type { Scenario } from './lib/load.js';
import { fmt, median, table } from './lib/stats.js';
import { FLOORS, TARGETS } from './lib/targets.js';
import type { Target } from './lib/targets.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
// Quick mode keeps the memory-store pair and the read, so that `--quick` stays under two minutes.
const NAMES = quick
  ? ['tessera-memory', 'express-session-memory']
  : ['tessera-memory', 'tessera-redis', 'tessera-sealed', 'tessera-express-session', 'express-session-memory', 'express-session-redis', 'cookie-session', 'iron-session'];
const SCENARIOS: Scenario[] = quick ? ['S1'] : ['S1', 'S2'];
const targets = NAMES.map((name) => TARGETS.find((t) => t.name === name)).filter((t): t is Target => t !== undefined);

async function measure(target: Target, scenario: Scenario): Promise<number> {
  // This file runs compiled (see lib/build.ts), next to the compiled servers.
  const file = fileURLToPath(new URL(`./servers/${target.file}.js`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [file, ...(target.arg ? [target.arg] : [])], {
    env: { ...process.env, BENCH_IN_PROCESS: scenario, BENCH_QUICK: quick ? '1' : '0', BENCH_RUN_ID: `inproc_${process.pid}_${target.name.replace(/\W/g, '_')}` },
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return (JSON.parse(line) as InProcessResult).cpuUsPerRequest;
}

const cpu = new Map<string, number[]>();
const overhead = new Map<string, number[]>();
const push = (map: Map<string, number[]>, key: string, value: number): void => {
  map.set(key, [...(map.get(key) ?? []), value]);
};
for (let round = 0; round < ROUNDS; round++) {
  const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
  for (const target of order) {
    for (const scenario of SCENARIOS) {
      // The floor right before (even rounds) or after (odd rounds) the library's run.
      const floorFirst = round % 2 === 0;
      const floorBefore = floorFirst ? await measure(FLOORS.express, scenario) : 0;
      const value = await measure(target, scenario);
      const floor = floorFirst ? floorBefore : await measure(FLOORS.express, scenario);
      push(cpu, `${target.name} ${scenario}`, value);
      push(cpu, `floor ${scenario}`, floor);
      push(overhead, `${target.name} ${scenario}`, value - floor);
    }
  }
}

const rows: string[][] = [];
for (const scenario of SCENARIOS) rows.push([FLOORS.express.label, scenario, fmt(median(cpu.get(`floor ${scenario}`)!), 1), '1.00', '0']);
for (const target of targets) {
  for (const scenario of SCENARIOS) {
    const key = `${target.name} ${scenario}`;
    const floor = median(cpu.get(`floor ${scenario}`)!);
    const value = median(cpu.get(key)!);
    rows.push([target.label, scenario, fmt(value, 1), fmt(floor / value, 2), fmt(median(overhead.get(key)!), 1)]);
  }
}
console.log(
  `${ROUNDS} interleaved round(s); per run ${quick ? '3,000 requests (at most 0.6 s)' : '20,000 requests (at most 4 s)'} one at a time after a warm-up, ${quick ? 100 : 1000} sessions rotated in S1/S2. "× floor" is the floor's CPU per request over the library's: the throughput ratio of a CPU-bound server. Overhead is the median of (library − paired floor run).\n`,
);
console.log(table(['library', 'scenario', 'CPU µs/req (median)', '× floor', 'overhead µs/req'], rows));
