// `npm run bench [-- --quick] [--only=tessera-memory,express-session] [--skip=http,inprocess,latency,memory,stores,hotpath,machinery]
//   [--rounds=3 --seconds=4 --warmup=1 --connections=10 --sessions=1000] [--baseline=<dir>] [--instructions [--jobs=2] [--one-run]]`
//   (--rounds, --only: HTTP and in process; --only also the instruction counts)
// --instructions adds the instruction counts under callgrind (bench/instructions.ts; 30-60 min in
// full on 2 cores, a few minutes with --quick); --skip=instructions leaves them out again.
// --delays=1,10,50: the latency section's added ms each way (bench/latency.ts).
// Runs the HTTP benchmark (bench/http.ts), the store-latency one (bench/latency.ts), then the memory (bench/memory.ts), raw store
// (bench/store-ops.ts), read-path (bench/hot-path.ts) and hand-written-machinery (bench/machinery.ts)
// measurements in their own processes, and writes the report to
// bench/results/<time>.md (and prints it).
// --baseline=<dir>: a built tessera (<dir>/dist/, e.g. a worktree of the commit before a change)
// whose memory-store and sealed servers run next to the current ones in the HTTP and in-process
// rounds; the report then opens with both ratios to the Express floor side by side (lib/baseline.ts).
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runHttp } from './http.js';
import { runLatency } from './latency.js';
import type { Comparison } from './lib/baseline.js';
import { checkBaseline, comparisonTable, describeBaseline, splitComparisons } from './lib/baseline.js';
import { buildBench, compiled } from './lib/build.js';
import { killAllNow, stopAll } from './lib/server-process.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const listArg = (name: string): string[] => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(',').filter(Boolean) ?? [];
const skip = listArg('skip');
/** `--name=number` overrides a default, e.g. `--rounds=5 --seconds=10`. */
const numberArg = (name: string, fallback: number): number => Number(listArg(name)[0] ?? fallback);
const log = (line: string): void => console.error(line);
const baselineArg = listArg('baseline')[0];
const baseline = baselineArg === undefined ? undefined : checkBaseline(baselineArg);
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

/**
 * The Markdown a section script prints. A script that fails (e.g. it imports a part of src/ that
 * another engineer's work in progress moved) gives a line saying so, and the other sections still run.
 */
async function script(file: string, extra: string[] = [], timeoutMs = 15 * 60_000): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [compiled(`bench/${file}`), ...(quick ? ['--quick'] : []), ...extra], {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 1 << 22,
    });
    return stdout.trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const line = stderr.split('\n').find((l) => /Error/.test(l)) ?? (error as Error).message.split('\n')[0]!;
    log(`  bench/${file} failed: ${line.trim()}`);
    return `**bench/${file} failed**: ${line.trim()}`;
  }
}

/** The commit measured, and whether the working tree (others' work in progress) differs from it. */
async function revision(): Promise<string> {
  try {
    const git = (...a: string[]) => promisify(execFile)('git', a, { timeout: 10_000 }).then((r) => r.stdout.trim());
    const dirty = (await git('status', '--porcelain', '--', 'src')) !== '';
    return `${await git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

const startedAt = new Date();
const sections: string[] = [
  `# tessera benchmark, ${startedAt.toISOString()}${quick ? ' (quick mode: not for publishing)' : ''}`,
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, ${process.platform}. tessera: ${await revision()}.` +
    (baseline === undefined ? '' : ` Baseline: ${await describeBaseline(baseline)}.`),
];
const comparisons: Comparison[] = [];
try {
  log('compiling src/ and bench/ with tsc ...');
  await buildBench();
  if (!skip.includes('http')) {
    log('HTTP scenarios ...');
    const http = await runHttp({
      rounds: numberArg('rounds', quick ? 1 : 3),
      seconds: numberArg('seconds', quick ? 0.8 : 4),
      warmupSeconds: numberArg('warmup', quick ? 0.3 : 1),
      connections: numberArg('connections', 10),
      sessions: numberArg('sessions', quick ? 200 : 1000),
      only: listArg('only'),
      ...(baseline === undefined ? {} : { baseline }),
      log,
    });
    comparisons.push(...http.comparisons);
    sections.push('', '## HTTP: S0 floor, S1 read, S2 write, S3 create', '', http.markdown);
  }
  if (!skip.includes('inprocess')) {
    log('in-process middleware cost ...');
    const extra = [
      ...(baseline === undefined ? [] : [`--baseline=${baseline}`, '--comparisons=json']),
      ...(listArg('rounds').length > 0 ? [`--rounds=${numberArg('rounds', 1)}`] : []),
      ...(listArg('only').length > 0 ? [`--only=${listArg('only').join(',')}`] : []),
    ];
    const inProcess = splitComparisons(await script('in-process.ts', extra));
    comparisons.unshift(...inProcess.comparisons);
    sections.push('', '## Express middlewares in process (no network)', '', inProcess.text);
  }
  if (!skip.includes('latency')) {
    log('store latency through a delaying proxy ...');
    const latency = await runLatency({
      delays: listArg('delays').length > 0 ? listArg('delays').map(Number) : quick ? [10] : [1, 10, 50],
      seconds: numberArg('seconds', quick ? 1 : 4),
      warmupSeconds: numberArg('warmup', quick ? 0.3 : 1),
      connections: numberArg('connections', 10),
      sessions: quick ? 50 : 200,
      only: listArg('only'),
      log,
    });
    sections.push('', '## Store latency: Redis and PostgreSQL behind a delaying proxy', '', latency);
  }
  if (args.includes('--instructions') && !skip.includes('instructions')) {
    log('instructions per request under callgrind (long: see bench/instructions.ts) ...');
    const extra = [...(listArg('only').length > 0 ? [`--only=${listArg('only').join(',')}`] : []), ...(listArg('jobs').length > 0 ? [`--jobs=${numberArg('jobs', 2)}`] : []), ...(args.includes('--one-run') ? ['--one-run'] : [])];
    sections.push('', '## Instructions per request (callgrind, in process)', '', await script('instructions.ts', extra, 120 * 60_000));
  }
  if (!skip.includes('memory')) {
    log('memory per session ...');
    sections.push('', '## Memory per session', '', await script('memory.ts'));
  }
  if (!skip.includes('stores')) {
    log('store get/set throughput ...');
    sections.push('', '## Raw store throughput', '', await script('store-ops.ts'));
  }
  if (!skip.includes('hotpath')) {
    log('read path pieces ...');
    sections.push('', "## tessera's read path, piece by piece", '', await script('hot-path.ts'));
  }
  if (!skip.includes('machinery')) {
    log('hand-written machinery against the built-ins ...');
    sections.push('', "## Hand-written machinery against Node's built-ins", '', await script('machinery.ts'));
  }
} finally {
  await stopAll();
}
if (baseline !== undefined) {
  sections.splice(
    3,
    0,
    '',
    '## Before and after: the baseline build against the source, same run',
    '',
    comparisons.length === 0
      ? 'No comparison: the in-process and HTTP sections were skipped, or --only left out tessera-memory and tessera-sealed.'
      : 'The ratios to the Express floor are those of each section\'s table: over HTTP, a run\'s req/s over the floor run paired with it, median over rounds; ' +
          'in process, the floor\'s median CPU per request over the library\'s (per round, so in process "per round" is the CPU ratio). ' +
          '"after ÷ before" is the ratio of those medians (above 1: the source is faster than the baseline), with its per-round values; ' +
          '"CPU/req before ÷ after" compares the two back-to-back runs without the floor (median of the per-round quotients; above 1: the source is cheaper). ' +
          'A difference inside the per-round spread, or under ~10% on this noisy 2-core machine (docs/benchmarks.md), is noise; a quick run has one round and says little.\n\n' +
          comparisonTable(comparisons),
  );
}
const text = sections.join('\n') + '\n';
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}${startedAt.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.md`;
writeFileSync(file, text);
console.log(text);
log(`written to ${file}`);
