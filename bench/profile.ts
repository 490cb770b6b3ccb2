// Profiles one library's server under one scenario with `node --cpu-prof`, then prints where the
// server's time went: self time by function and inclusive time of the session layers.
//   node --import tsx bench/profile.ts [target=tessera-memory] [scenario=S1] [seconds=10]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from './lib/load.js';
import { harvestCookies, runLoad } from './lib/load.js';
import { buildBench } from './lib/build.js';
import { startServer, stopAll } from './lib/server-process.js';
import { fmt, table } from './lib/stats.js';
import { TARGETS } from './lib/targets.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [name = 'tessera-memory', scenario = 'S1', secondsText = '10'] = process.argv.slice(2);
const target = TARGETS.find((t) => t.name === name);
if (target === undefined) throw new Error(`unknown target ${name}`);
const dir = mkdtempSync(join(tmpdir(), 'tessera-prof-'));
process.env.BENCH_SERVER_FLAGS = `--cpu-prof --cpu-prof-dir=${dir}`;

let requests = 0;
// The measured window on the monotonic clock, in µs, as the profile's timestamps are.
let window = [0, 0];
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
await buildBench();
try {
  const started = await startServer(target.file, target.arg, {});
  if (!started.ok) throw new Error(started.reason);
  const cookies = await harvestCookies(started.server.port, 1000);
  await runLoad({ port: started.server.port, scenario: scenario as Scenario, cookies, connections: 10, seconds: 2 });
  window = [nowUs(), 0];
  const load = await runLoad({ port: started.server.port, scenario: scenario as Scenario, cookies, connections: 10, seconds: Number(secondsText) });
  window[1] = nowUs();
  requests = load.requests;
  await started.server.stop();
} finally {
  await stopAll();
}

// The main thread's profile is the largest file.
const files = readdirSync(dir).map((f) => join(dir, f));
const main = files.map((f) => ({ f, size: readFileSync(f).length })).sort((a, b) => b.size - a.size)[0]!.f;
const profile = JSON.parse(readFileSync(main, 'utf8')) as Profile;
rmSync(dir, { recursive: true, force: true });

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const label = (n: ProfileNode): string => {
  const file = n.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/').replace(/^node:/, 'node:');
  return `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  // Only samples inside the measured window: no start-up, no cookie harvest, no warm-up.
  if (at < window[0]! || at > window[1]!) return;
  total += dt;
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
    const key = label(byId.get(up)!);
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    seen.add(key);
  }
});
const perReq = (us: number): string => fmt(us / requests, 2);
const top = (map: Map<string, number>, filter: (k: string) => boolean, n: number): string[][] =>
  [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => [k, fmt((100 * us) / total, 1), perReq(us)]);

console.log(`${name} ${scenario}: ${requests} requests profiled, ${fmt(total / requests, 1)} µs of sampled main-thread time per request\n`);
console.log('Self time, top 25\n');
console.log(table(['function', '% of samples', 'µs/request'], top(self, () => true, 25)));
console.log('\nInclusive time of session code (src/, and the peers\' packages)\n');
console.log(table(['function', '% of samples', 'µs/request'], top(inclusive, (k) => /\bsrc\/|session|cookie|iron/.test(k), 30)));
