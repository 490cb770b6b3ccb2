// The HTTP benchmark: interleaved rounds of S1-S3 per library, each library's runs next to a run
// of its framework's bare floor (S0), with server CPU counted inside the server process.
import type { Comparison } from './lib/baseline.js';
import { baselineTwins, order, unitsOf } from './lib/baseline.js';
import type { LoadResult, Scenario } from './lib/load.js';
import { dummyCookies, harvestCookies, runLoad } from './lib/load.js';
import type { ServerHandle } from './lib/server-process.js';
import { startServer } from './lib/server-process.js';
import { fmt, median, table } from './lib/stats.js';
import type { Framework, Target } from './lib/targets.js';
import { FLOORS, TARGETS } from './lib/targets.js';

export interface HttpConfig {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  sessions: number;
  only: string[];
  /** A built tessera to measure beside the source (see lib/baseline.ts): memory-store and sealed S1/S2. */
  baseline?: string;
  log: (line: string) => void;
}

interface Cell extends LoadResult {
  cpuUsPerReq: number;
}

/** One measured cell of a round, with the paired floor run of the same round. */
interface Sample {
  round: number;
  target: string;
  scenario: Scenario;
  cell: Cell;
  floor: Cell;
}

const SCENARIOS: Scenario[] = ['S1', 'S2', 'S3'];
const rotate = <T>(list: T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length]!);

async function measure(server: ServerHandle, scenario: Scenario, cookies: string[], config: HttpConfig): Promise<Cell> {
  const base = { port: server.port, scenario, cookies, connections: config.connections };
  await runLoad({ ...base, seconds: config.warmupSeconds });
  await server.reset();
  const load = await runLoad({ ...base, seconds: config.seconds });
  const counters = await server.read();
  return { ...load, cpuUsPerReq: counters.requests === 0 ? NaN : counters.cpuUs / counters.requests };
}

export interface HttpResult {
  samples: Sample[];
  unavailable: Record<string, string>;
  /** The baseline twins against their current targets (empty without a baseline). */
  comparisons: Comparison[];
  markdown: string;
}

export async function runHttp(config: HttpConfig): Promise<HttpResult> {
  const selected = TARGETS.filter((t) => config.only.length === 0 || config.only.some((o) => t.name.includes(o)));
  // A baseline twin runs S1 and S2 (read, write) right next to its current target, in the same rounds.
  const twins = config.baseline === undefined ? [] : baselineTwins(config.baseline, selected, () => ['S1', 'S2']);
  const targets = selected.flatMap((t) => [t, ...twins.filter(([of]) => of === t).map(([, twin]) => twin)]);
  const units = unitsOf(targets);
  const samples: Sample[] = [];
  const unavailable: Record<string, string> = {};
  const floors: Partial<Record<Framework, ServerHandle>> = {};
  const env = { BENCH_RUN_ID: `r${Date.now().toString(36)}` };
  try {
    for (const framework of new Set(targets.map((t) => t.framework))) {
      const started = await startServer(FLOORS[framework].file, undefined, env);
      if (!started.ok) throw new Error(`floor ${framework}: ${started.reason}`);
      floors[framework] = started.server;
    }
    for (let round = 0; round < config.rounds; round++) {
      // Without a baseline every unit is one target, and this is the rotation the section always had.
      for (const target of order(units, round, round * 3)) {
        if (unavailable[target.name] !== undefined) continue;
        const started = await startServer(target.file, target.arg, { ...env, ...target.env });
        if (!started.ok) {
          unavailable[target.name] = started.reason;
          config.log(`  ${target.name}: not available (${started.reason})`);
          continue;
        }
        const server = started.server;
        try {
          const cookies = await harvestCookies(server.port, config.sessions);
          const floorServer = floors[target.framework]!;
          const floorCookies = dummyCookies(cookies[0]!, config.sessions);
          // The floor goes before the library's runs in even rounds and after them in odd rounds.
          let floor: Cell | undefined;
          const runFloor = async (): Promise<void> => {
            floor = await measure(floorServer, 'S0', floorCookies, config);
          };
          const cells: Array<[Scenario, Cell]> = [];
          if (round % 2 === 0) await runFloor();
          for (const scenario of rotate(target.scenarios ?? SCENARIOS, round)) cells.push([scenario, await measure(server, scenario, cookies, config)]);
          if (round % 2 === 1) await runFloor();
          for (const [scenario, cell] of cells) samples.push({ round, target: target.name, scenario, cell, floor: floor! });
          config.log(
            `  round ${round + 1} ${target.name}: floor ${fmt(floor!.reqPerSec)} req/s ${fmt(floor!.cpuUsPerReq, 1)} µs; ` +
              cells.map(([s, c]) => `${s} ${fmt(c.reqPerSec)} req/s ${fmt(c.cpuUsPerReq, 1)} µs${c.errors + c.non2xx > 0 ? ` (${c.errors} errors, ${c.non2xx} non-2xx)` : ''}`).join('; '),
          );
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await Promise.all(Object.values(floors).map((f) => f.stop()));
  }
  // bench/run.ts prints the comparisons of both sections together.
  return { samples, unavailable, comparisons: compare(twins, samples, unavailable), markdown: report(targets, samples, unavailable, config) };
}

/** Per round: each side's req/s over its own paired floor run, and its CPU overhead. */
function compare(twins: Array<[Target, Target]>, samples: Sample[], unavailable: Record<string, string>): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const [current, twin] of twins) {
    for (const scenario of twin.scenarios ?? SCENARIOS) {
      // Rounds in order; a target that failed is skipped from then on, so both lists start at round 0.
      const of = (name: string): Sample[] => samples.filter((s) => s.target === name && s.scenario === scenario).sort((a, b) => a.round - b.round);
      const after = of(current.name);
      const before = of(twin.name);
      const failed = [current, twin].filter((t) => unavailable[t.name] !== undefined).map((t) => `${t === twin ? 'baseline' : 'source'}: ${unavailable[t.name]!}`);
      const ratio = (s: Sample): number => s.cell.reqPerSec / s.floor.reqPerSec;
      const overhead = (s: Sample): number => s.cell.cpuUsPerReq - s.floor.cpuUsPerReq;
      comparisons.push({
        section: 'HTTP',
        label: current.label,
        scenario,
        after: after.map(ratio),
        before: before.map(ratio),
        afterOverhead: after.map(overhead),
        beforeOverhead: before.map(overhead),
        afterCpu: after.map((s) => s.cell.cpuUsPerReq),
        beforeCpu: before.map((s) => s.cell.cpuUsPerReq),
        ...(failed.length > 0 ? { note: `not available, ${failed.join('; ')}` } : {}),
      });
    }
  }
  return comparisons;
}

function summarize(samples: Sample[]): Record<string, number> {
  return {
    reqPerSec: median(samples.map((s) => s.cell.reqPerSec)),
    p50: median(samples.map((s) => s.cell.p50)),
    p99: median(samples.map((s) => s.cell.p99)),
    cpu: median(samples.map((s) => s.cell.cpuUsPerReq)),
    ratio: median(samples.map((s) => s.cell.reqPerSec / s.floor.reqPerSec)),
    overhead: median(samples.map((s) => s.cell.cpuUsPerReq - s.floor.cpuUsPerReq)),
    floorCpu: median(samples.map((s) => s.floor.cpuUsPerReq)),
    floorRps: median(samples.map((s) => s.floor.reqPerSec)),
    bad: samples.reduce((n, s) => n + s.cell.errors + s.cell.non2xx, 0),
  };
}

function report(targets: Target[], samples: Sample[], unavailable: Record<string, string>, config: HttpConfig): string {
  const rows: string[][] = [];
  for (const framework of Object.keys(FLOORS) as Framework[]) {
    const floorSamples = samples.filter((s) => targets.find((t) => t.name === s.target)?.framework === framework);
    if (floorSamples.length === 0) continue;
    const seen = new Set<Cell>();
    const floorCells = floorSamples.map((s) => s.floor).filter((c) => !seen.has(c) && seen.add(c));
    rows.push([
      FLOORS[framework].label, 'S0', fmt(median(floorCells.map((c) => c.reqPerSec))), fmt(median(floorCells.map((c) => c.p50)), 1),
      fmt(median(floorCells.map((c) => c.p99)), 1), fmt(median(floorCells.map((c) => c.cpuUsPerReq)), 1), '1.00', '0',
    ]);
  }
  for (const target of targets) {
    if (unavailable[target.name] !== undefined) {
      rows.push([target.label, 'all', `**not yet available**: ${unavailable[target.name]}`, '', '', '', '', '']);
      continue;
    }
    for (const scenario of target.scenarios ?? SCENARIOS) {
      const mine = samples.filter((s) => s.target === target.name && s.scenario === scenario);
      if (mine.length === 0) continue;
      const m = summarize(mine);
      rows.push([
        target.label, scenario, fmt(m.reqPerSec) + (m.bad! > 0 ? ` (${m.bad} errors)` : ''), fmt(m.p50, 1), fmt(m.p99, 1),
        fmt(m.cpu, 1), fmt(m.ratio, 2), fmt(m.overhead, 1),
      ]);
    }
  }
  const head = ['library', 'scenario', 'req/s (median)', 'p50 ms', 'p99 ms', 'server CPU µs/req', '× floor req/s', 'overhead µs/req'];
  return [
    `${config.rounds} interleaved round(s), ${config.seconds} s measured per run after ${config.warmupSeconds} s warm-up, ` +
      `${config.connections} connections, ${config.sessions} sessions rotated in S1/S2. ` +
      'Ratio and overhead are against the floor run paired with the library in the same round; all values are medians over rounds.',
    '',
    table(head, rows),
  ].join('\n');
}
