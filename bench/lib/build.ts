// The servers run as plain JavaScript compiled by tsc, like a published tessera, not through
// tsx (whose esbuild transform adds a `__name()` call to every function expression created per
// request). `buildBench` compiles src/ and bench/ to node_modules/.cache/tessera-bench (never
// touching the shared dist/); `compiled` maps a bench file to its compiled path.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = `${root}node_modules/.cache/tessera-bench/`;

export async function buildBench(): Promise<void> {
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', `${root}bench/tsconfig.json`], { timeout: 180_000 });
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
