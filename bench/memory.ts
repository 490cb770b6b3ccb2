// Memory per session in tessera's MemoryStore against express-session's MemoryStore, each count
// in a fresh process (node --expose-gc). Prints a Markdown table.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fmt, table } from './lib/stats.js';

const quick = process.argv.includes('--quick');
const COUNTS = quick ? [10_000] : [100_000, 1_000_000];
const LIBRARIES = [
  ['tessera', 'tessera MemoryStore (via the manager)'],
  ['express-session', 'express-session MemoryStore'],
] as const;
// Next to this file: compiled .js under the bench build, or .ts when run through tsx.
const worker = fileURLToPath(new URL(`./memory-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

const rows: string[][] = [];
for (const count of COUNTS) {
  for (const [library, label] of LIBRARIES) {
    try {
      // Bounded: each measurement gets at most 5 minutes, then the child is killed.
      const { stdout } = await promisify(execFile)(process.execPath, [...(worker.endsWith('.ts') ? ['--import', 'tsx'] : []), '--expose-gc', '--max-old-space-size=8192', worker, library, String(count)], {
        timeout: 300_000,
        killSignal: 'SIGKILL',
      });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as { bytesPerSession: number; heapMB: number; seconds: number };
      rows.push([label, fmt(count), fmt(result.bytesPerSession), fmt(result.heapMB), fmt(result.seconds, 1)]);
    } catch (error) {
      rows.push([label, fmt(count), `failed: ${(error as Error).message.split('\n')[0]}`, '', '']);
    }
  }
}
console.log(
  'Heap used after full GC, minus the heap before filling, divided by the number of sessions. ' +
    'Each session holds a logged-in user: userId, name, two roles, a login time.\n',
);
console.log(table(['store', 'sessions', 'bytes / session', 'heap used, MB', 'fill time, s'], rows));
