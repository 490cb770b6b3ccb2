// `--baseline=<dir>`: another built tessera (a directory holding its `dist/`, e.g. a git worktree
// of the commit before a change, built with `npx tsc -p tsconfig.build.json`) measured beside the
// current source in the same run. Its servers are the same bench/servers/tessera.ts with
// BENCH_TESSERA_DIST=<dir>, which then imports the library from <dir>/dist/ instead of src/, so
// the routes, the store options, the harness and the load are the same and only the library differs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Scenario } from './load.js';
import { fmt, median, table } from './stats.js';
import type { Target } from './targets.js';

/** The environment variable bench/servers/tessera.ts reads: where the tessera under test comes from. */
export const DIST_ENV = 'BENCH_TESSERA_DIST';

/** The baseline directory as an absolute path; throws with the way to make one when it is not a built tessera. */
export function checkBaseline(dir: string): string {
  const root = resolve(dir);
  for (const file of ['dist/index.js', 'dist/express/index.js']) {
    if (!existsSync(resolve(root, file))) {
      throw new Error(
        `--baseline=${dir}: no ${file} there. Build one, e.g.: git worktree add /tmp/tessera-before <commit> && ` +
          'cd /tmp/tessera-before && ln -s "$PWD/../main/node_modules" node_modules && npx tsc -p tsconfig.build.json',
      );
    }
  }
  return root;
}

/** `<dir> (<short commit>)` when the baseline is a git checkout, else the directory alone. */
export async function describeBaseline(dir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { timeout: 10_000 });
    return `${dir} (${stdout.trim()})`;
  } catch {
    return dir;
  }
}

/** The tessera targets that get a baseline twin: the memory store (read, write) and the sealed cookie. */
const TWINS: Array<{ of: string; label: string; arg: string }> = [
  { of: 'tessera-memory', label: 'tessera (baseline), MemoryStore', arg: 'memory' },
  { of: 'tessera-sealed', label: "tessera (baseline), sealed cookie (mode: 'cookie')", arg: 'sealed' },
];

/**
 * The baseline twins of those of `current` that have one, each with the scenarios `scenariosOf`
 * gives its current target, as `[current, twin]` pairs.
 */
export function baselineTwins(dir: string, current: Target[], scenariosOf: (target: Target) => Scenario[]): Array<[Target, Target]> {
  const pairs: Array<[Target, Target]> = [];
  for (const twin of TWINS) {
    const of = current.find((t) => t.name === twin.of);
    if (of === undefined) continue;
    pairs.push([
      of,
      { name: `${twin.of}-baseline`, label: twin.label, framework: 'express', file: 'tessera', arg: twin.arg, env: { [DIST_ENV]: dir }, baselineOf: twin.of, scenarios: scenariosOf(of) },
    ]);
  }
  return pairs;
}

/**
 * The targets grouped into units that run back to back: a target and its baseline twin form one
 * unit, every other target a unit of its own. `order(units, round)` rotates the units as the
 * section always rotated its targets and swaps each pair's order every round, so that neither
 * side always runs first.
 */
export function unitsOf(targets: Target[]): Target[][] {
  const units: Target[][] = [];
  for (const target of targets) {
    if (target.baselineOf !== undefined) continue;
    const twin = targets.find((t) => t.baselineOf === target.name);
    units.push(twin === undefined ? [target] : [target, twin]);
  }
  return units;
}

export function order(units: Target[][], round: number, rotateBy: number): Target[] {
  const rotated = units.map((_, i) => units[(i + rotateBy) % units.length]!);
  return rotated.flatMap((unit) => (round % 2 === 1 ? [...unit].reverse() : unit));
}

/** One scenario of one target measured against its baseline twin, per round. */
export interface Comparison {
  /** Where it was measured: 'in process' or 'HTTP'. */
  section: string;
  label: string;
  scenario: Scenario;
  /** × floor of the current source and of the baseline, one value per round (each against its own paired floor run). */
  after: number[];
  before: number[];
  /** CPU µs per request above the paired floor, per round. */
  afterOverhead: number[];
  beforeOverhead: number[];
  /** CPU µs per request, per round (no floor: the two sides ran back to back). */
  afterCpu: number[];
  beforeCpu: number[];
  /** Why a side has no figures (its server did not start or failed). */
  note?: string;
}

/** `min-max` of per-round values, or why there are none. */
function spread(values: number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '—';
  return finite.length === 1 ? '(one round)' : `${fmt(Math.min(...finite), 3)}-${fmt(Math.max(...finite), 3)}`;
}

/**
 * The before/after table: both ratios to the Express floor (medians over rounds) and their ratio;
 * then the same comparison without the floor, from the CPU per request of the two back-to-back
 * runs (the floor runs are noisy too, and dividing by them adds their noise).
 */
export function comparisonTable(comparisons: Comparison[]): string {
  const rows = comparisons.map((c) => {
    const after = median(c.after);
    const before = median(c.before);
    const direct = c.beforeCpu.map((b, i) => b / c.afterCpu[i]!);
    return [
      c.section, c.label, c.scenario === 'S1' ? 'S1 read' : c.scenario === 'S2' ? 'S2 write' : c.scenario, fmt(before, 2), fmt(after, 2), fmt(after / before, 3),
      c.note ?? spread(c.after.map((a, i) => a / c.before[i]!)),
      fmt(median(direct.filter(Number.isFinite)), 3), c.note === undefined ? spread(direct) : '',
      `${fmt(median(c.beforeCpu), 1)} / ${fmt(median(c.afterCpu), 1)}`,
    ];
  });
  return table(
    ['section', 'tessera', 'scenario', 'before × floor', 'after × floor', 'after ÷ before', 'per round', 'CPU/req before ÷ after', 'per round', 'CPU µs/req before / after'],
    rows,
  );
}

/** A line a child script prints after its Markdown so that bench/run.ts can gather the comparisons. */
export const COMPARISON_MARK = '@@bench-comparisons ';

export function splitComparisons(stdout: string): { text: string; comparisons: Comparison[] } {
  const comparisons: Comparison[] = [];
  const lines = stdout.split('\n').filter((line) => {
    if (!line.startsWith(COMPARISON_MARK)) return true;
    comparisons.push(...(JSON.parse(line.slice(COMPARISON_MARK.length)) as Comparison[]));
    return false;
  });
  return { text: lines.join('\n').trim(), comparisons };
}
