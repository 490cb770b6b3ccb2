// The Express middlewares without a network: each server file runs in a process of its own with
// BENCH_IN_PROCESS set, its request listener driven directly (bench/lib/in-process-driver.ts),
// one request at a time. Interleaved rounds; each round pairs every library with a floor run.
//   node bench/in-process.js [--quick] [--rounds=N] [--only=name,...] [--baseline=<dir>]   (the compiled copy; `npm run bench` runs it)
// With --baseline (lib/baseline.ts), the memory-store and sealed tessera servers also run on the
// built tessera in <dir>, each right next to the current one in every round, and a before/after
// table follows (bench/run.ts passes --comparisons=json and prints it with the HTTP one).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Comparison } from './lib/baseline.js';
import { COMPARISON_MARK, baselineTwins, checkBaseline, comparisonTable, order, unitsOf } from './lib/baseline.js';
import type { InProcessResult } from './lib/in-process-driver.js';
import type { Scenario } from './lib/load.js';
import { fmt, median, table } from './lib/stats.js';
import { FLOORS, TARGETS } from './lib/targets.js';
import type { Target } from './lib/targets.js';

const quick = process.argv.includes('--quick');
const baselineArg = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
const baseline = baselineArg === undefined || baselineArg === '' ? undefined : checkBaseline(baselineArg);
const roundsArg = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length));
const ROUNDS = Number.isInteger(roundsArg) && roundsArg > 0 ? roundsArg : quick ? 1 : 3;
// Quick mode keeps the memory-store pair and the read, so that `--quick` stays under two minutes;
// with a baseline it adds the memory store's write and the sealed read, what the comparison needs.
const NAMES = quick
  ? ['tessera-memory', ...(baseline === undefined ? [] : ['tessera-sealed']), 'express-session-memory']
  : ['tessera-memory', 'tessera-memory-encrypted', 'tessera-redis', 'tessera-sealed', 'tessera-express-session', 'express-session-memory', 'express-session-redis', 'cookie-session', 'iron-session'];
const SCENARIOS: Scenario[] = quick ? ['S1'] : ['S1', 'S2'];
// --only keeps the targets whose name contains one of its words, as in the HTTP section.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean) ?? [];
const selected = NAMES.filter((name) => only.length === 0 || only.some((o) => name.includes(o)))
  .map((name) => TARGETS.find((t) => t.name === name))
  .filter((t): t is Target => t !== undefined);
const scenariosOf = (target: Target): Scenario[] => (quick && baseline !== undefined && target.name === 'tessera-memory' ? ['S1', 'S2'] : SCENARIOS);
const twins = baseline === undefined ? [] : baselineTwins(baseline, selected, scenariosOf);
const targets = selected.flatMap((t) => [{ ...t, scenarios: scenariosOf(t) }, ...twins.filter(([of]) => of === t).map(([, twin]) => twin)]);
const units = unitsOf(targets);
const scenariosIn = [...new Set(targets.flatMap((t) => t.scenarios!))].sort();

async function measure(target: Target, scenario: Scenario): Promise<number> {
  // This file runs compiled (see lib/build.ts), next to the compiled servers.
  const file = fileURLToPath(new URL(`./servers/${target.file}.js`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [file, ...(target.arg ? [target.arg] : [])], {
    env: { ...process.env, ...target.env, BENCH_IN_PROCESS: scenario, BENCH_QUICK: quick ? '1' : '0', BENCH_RUN_ID: `inproc_${process.pid}_${target.name.replace(/\W/g, '_')}` },
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return (JSON.parse(line) as InProcessResult).cpuUsPerRequest;
}

/** Why a target's server failed (e.g. a source mid-rewrite that does not load): it is reported and left out. */
const unavailable = new Map<string, string>();
/** The first line of a failed server's stderr that names an error. */
function reason(error: unknown): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? '');
  const line = stderr.split('\n').find((l) => /Error|error:/.test(l)) ?? (error as Error).message.split('\n')[0]!;
  return line.trim().slice(0, 300);
}

const cpu = new Map<string, number[]>();
const overhead = new Map<string, number[]>();
const push = (map: Map<string, number[]>, key: string, value: number): void => {
  map.set(key, [...(map.get(key) ?? []), value]);
};
for (let round = 0; round < ROUNDS; round++) {
  // Without a baseline every unit is one target, and this is the rotation the section always had.
  for (const target of order(units, round, round)) {
    for (const scenario of target.scenarios!) {
      if (unavailable.has(target.name)) continue;
      // The floor right before (even rounds) or after (odd rounds) the library's run.
      const floorFirst = round % 2 === 0;
      const floorBefore = floorFirst ? await measure(FLOORS.express, scenario) : 0;
      let value: number;
      try {
        value = await measure(target, scenario);
      } catch (error) {
        unavailable.set(target.name, reason(error));
        continue;
      }
      const floor = floorFirst ? floorBefore : await measure(FLOORS.express, scenario);
      push(cpu, `${target.name} ${scenario}`, value);
      push(cpu, `floor ${scenario}`, floor);
      push(overhead, `${target.name} ${scenario}`, value - floor);
    }
  }
}

const rows: string[][] = [];
for (const scenario of scenariosIn) rows.push([FLOORS.express.label, scenario, fmt(median(cpu.get(`floor ${scenario}`)!), 1), '1.00', '0']);
for (const target of targets) {
  if (unavailable.has(target.name)) {
    rows.push([target.label, 'all', `**failed**: ${unavailable.get(target.name)!}`, '', '']);
    continue;
  }
  for (const scenario of target.scenarios!) {
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

if (twins.length > 0) {
  // Per round: the floor's median CPU per request over the side's CPU in that round (so that the
  // median over rounds is the "× floor" of the table above), and its overhead over its paired floor run.
  const perRound = (name: string, scenario: Scenario): { ratio: number[]; overhead: number[] } => {
    const floor = median(cpu.get(`floor ${scenario}`) ?? []);
    return { ratio: (cpu.get(`${name} ${scenario}`) ?? []).map((value) => floor / value), overhead: overhead.get(`${name} ${scenario}`) ?? [] };
  };
  const comparisons: Comparison[] = [];
  for (const [current, twin] of twins) {
    for (const scenario of twin.scenarios!) {
      const after = perRound(current.name, scenario);
      const before = perRound(twin.name, scenario);
      const cpuOf = (name: string): number[] => cpu.get(`${name} ${scenario}`) ?? [];
      const failed = [unavailable.get(current.name) && `source failed: ${unavailable.get(current.name)!}`, unavailable.get(twin.name) && `baseline failed: ${unavailable.get(twin.name)!}`];
      comparisons.push({
        section: 'in process', label: current.label, scenario, after: after.ratio, before: before.ratio, afterOverhead: after.overhead, beforeOverhead: before.overhead,
        afterCpu: cpuOf(current.name), beforeCpu: cpuOf(twin.name),
        ...(failed.some(Boolean) ? { note: failed.filter(Boolean).join('; ') } : {}),
      });
    }
  }
  if (process.argv.includes('--comparisons=json')) console.log(`${COMPARISON_MARK}${JSON.stringify(comparisons)}`);
  else console.log(`\nThe baseline build against the source, same rounds:\n\n${comparisonTable(comparisons)}`);
}
