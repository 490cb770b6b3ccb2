// The servers run as plain JavaScript compiled by tsc, like a published tessera, not through
// tsx (whose esbuild transform adds a `__name()` call to every function expression created per
// request). `buildBench` compiles src/ and bench/ to node_modules/.cache/tessera-bench/<checkout>/
// (never touching the shared dist/); `compiled` maps a bench file to its compiled path. The
// folder is per checkout: worktrees share node_modules, and one's build must not replace
// another's while it runs.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const checkout = `${basename(root)}-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`;
const outDir = `${root}node_modules/.cache/tessera-bench/${checkout}/`;

export async function buildBench(): Promise<void> {
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', `${root}bench/tsconfig.json`, '--outDir', outDir], { timeout: 180_000 });
  } catch (error) {
    // tsc still emits on type errors (another engineer's work in progress); a missing file is fatal below.
    const output = (error as { stdout?: string }).stdout ?? '';
    console.error(`tsc reported errors while compiling the bench (emitted anyway):\n${output.split('\n').slice(0, 5).join('\n')}`);
  }
  if (!existsSync(compiled('bench/servers/harness.ts'))) throw new Error(`compiling the bench failed: ${outDir} has no servers`);
}

/** `bench/servers/tessera.ts` -> the compiled `.js` path. */
export function compiled(repoPath: string): string {
  return `${outDir}${repoPath.replace(/\.ts$/, '.js')}`;
}
