// A test suite using tessera-session/express-session can exit: after the app's server closes,
// nothing the middleware or its store leaves behind (timers, listeners, sockets) keeps the
// process alive. Each variant runs exit-app.ts in a child process (node with tsx), which mounts
// the drop-in, serves two requests and closes its server; the child must then exit by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

/**
 * How long the child may stay alive after its server closed. An empty event loop exits at once;
 * what this guards against are the stores' sweep timers and intervals (60 s here), so the bound
 * leaves room for a loaded CI machine (3 s once failed there) and is still far below them. A child
 * that outlives it prints what is open every second (exit-app.ts), for the failure message.
 */
const EXIT_BOUND_MS = 10_000;
/** How long the whole child may take (tsx compiles the app first). */
const RUN_BOUND_MS = 40_000;

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the "closed" line to the exit, if both happened. */
  exitAfterCloseMs: number | undefined;
  killed: boolean;
}

function runChild(variant: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', new URL('./exit-app.ts', import.meta.url).pathname, variant], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let closedAt: number | undefined;
    let killed = false;
    const kill = (): void => {
      killed = true;
      child.kill('SIGKILL');
    };
    const runTimer = setTimeout(kill, RUN_BOUND_MS);
    let exitTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (closedAt === undefined && stdout.includes('closed;')) {
        closedAt = performance.now();
        exitTimer = setTimeout(kill, EXIT_BOUND_MS);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(runTimer);
      clearTimeout(exitTimer);
      const exitAfterCloseMs = closedAt === undefined ? undefined : performance.now() - closedAt;
      resolve({ code, signal, stdout, stderr, exitAfterCloseMs, killed });
    });
  });
}

describe('express-session compat: a process using the drop-in exits once its server closes', () => {
  for (const variant of ['defaults', 'checkPeriod', 'tessera-store']) {
    it(`${variant}: exits by itself within ${EXIT_BOUND_MS} ms of the server's close`, { timeout: RUN_BOUND_MS + 5_000 }, async () => {
      const run = await runChild(variant);
      const detail = `stdout: ${run.stdout}\nstderr: ${run.stderr}`;
      assert.match(run.stdout, /^responses 1 2$/m, detail);
      assert.match(run.stdout, /closed; still open/, detail);
      assert.equal(run.killed, false, `the child had to be killed: ${detail}`);
      assert.equal(run.code, 0, detail);
      assert.ok(run.exitAfterCloseMs !== undefined && run.exitAfterCloseMs < EXIT_BOUND_MS, detail);
    });
  }
});
