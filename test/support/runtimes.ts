// Bun and Deno for the tests: find the binary (the npm packages `bun` and `@deno/linux-x64-glibc`,
// or BUN_PATH / DENO_PATH, or PATH), and serve the Fetch adapter's conformance app in it
// (src/fetch/test-setup.ts) with a manager made there from the suite's options. A store the suite
// gives stays in this process and is reached from the runtime over a small HTTP bridge.
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { ManagerOptions, SessionStore } from '../../src/index.js';
import { runAdapterConformanceWith } from '../../src/testing/index.js';
import type { RunningApp } from '../../src/testing/index.js';
import type { RemoteMethod, RuntimeAppConfig } from '../../src/fetch/test-setup.js';
import { REMOTE_METHODS } from '../../src/fetch/test-setup.js';

export type RuntimeName = 'bun' | 'deno';

const root = resolve(import.meta.dirname, '../..');
const CANDIDATES: Record<RuntimeName, { env: string; paths: string[] }> = {
  bun: { env: 'BUN_PATH', paths: [join(root, 'node_modules/.bin/bun'), 'bun'] },
  deno: { env: 'DENO_PATH', paths: [join(root, 'node_modules/@deno/linux-x64-glibc/deno'), join(root, 'node_modules/.bin/deno'), 'deno'] },
};

/** A runtime binary that answers `--version`: its path and version line. */
export interface FoundRuntime {
  readonly name: RuntimeName;
  readonly path: string;
  readonly version: string;
}

/**
 * The runtime, or a skip reason when it cannot be found or does not run. Under CI a missing
 * runtime is a failure: this throws.
 */
export function findRuntime(name: RuntimeName): FoundRuntime | string {
  const { env, paths } = CANDIDATES[name];
  const fromEnv = process.env[env];
  const tried: string[] = [];
  for (const path of fromEnv ? [fromEnv] : paths) {
    if (path.includes('/') && !existsSync(path)) {
      tried.push(`${path}: missing`);
      continue;
    }
    const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    // `1.4.5` (Bun), `deno 2.9.6 (stable, ...)` (Deno): shown as `Bun 1.4.5`, `Deno 2.9.6`.
    const number = /\d+\.\d+\.\d+\S*/.exec(result.stdout)?.[0] ?? result.stdout.trim();
    if (result.status === 0) return { name, path, version: `${name === 'bun' ? 'Bun' : 'Deno'} ${number}` };
    tried.push(`${path}: ${result.error?.message ?? `exit ${result.status}`}`);
  }
  const reason = `${name} not found or not runnable (${tried.join('; ')})`;
  if (process.env.CI) throw new Error(`${reason}; CI is set, so this is a failure, not a skip`);
  console.warn(`# skipping: ${reason}`);
  return reason;
}

/** The command line that runs a TypeScript file of src/ directly (no build): both runtimes run TS. */
function commandLine(runtime: FoundRuntime, script: string): string[] {
  if (runtime.name === 'bun') return [script];
  // --sloppy-imports maps the sources' `./x.js` imports to `./x.ts`; node_modules as installed, nothing fetched.
  return ['run', '--no-prompt', '--no-lock', '--no-remote', '--sloppy-imports', '--node-modules-dir=manual', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', script];
}

/** Serves `store` over HTTP (POST {op, args} → {value}; 500 {error} on failure; a hang stays a hang). */
async function storeBridge(store: SessionStore): Promise<{ url: string; methods: RemoteMethod[]; close(): Promise<void> }> {
  const methods = REMOTE_METHODS.filter((m) => typeof (store as unknown as Record<string, unknown>)[m] === 'function');
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const answer = (status: number, body: unknown): void => {
        if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      void (async () => {
        try {
          const { op, args } = JSON.parse(Buffer.concat(parts).toString('utf8')) as { op: RemoteMethod; args: unknown[] };
          if (!methods.includes(op)) throw new Error(`no store method ${op}`);
          // JSON turned `undefined` arguments (setIf's "create only") into null; no store argument is null.
          const call = (store as unknown as Record<string, (...a: unknown[]) => unknown>)[op]!;
          answer(200, { value: await call.apply(store, args.map((a) => (a === null ? undefined : a))) });
        } catch (error) {
          answer(500, { error: error instanceof Error ? error.message : String(error) });
        }
      })();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    methods,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Stops a child by its PID: SIGTERM, then SIGKILL after 3 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Waits for the `{"port":N}` line the app prints once it listens (20 s at most). */
function portOf(child: ChildProcess, output: { text: string }): Promise<number> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => finish(new Error('no port within 20 s')), 20_000);
    let buffered = '';
    const onData = (data: Buffer): void => {
      buffered += data.toString('utf8');
      const match = /\{"port":(\d+)\}/.exec(buffered);
      if (match) finish(undefined, Number(match[1]));
    };
    const onExit = (code: number | null): void => finish(new Error(`exited (${code}) before listening`));
    function finish(error?: Error, port?: number): void {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      child.off('exit', onExit);
      if (error) fail(new Error(`${error.message}; output: ${(buffered + output.text).slice(-2000)}`));
      else done(port!);
    }
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

/**
 * Starts the conformance app in `runtime` (a `withSession` handler, or Hono with the `session`
 * middleware) on a manager made there from `options`; the app listens on a free port of
 * 127.0.0.1. `close()` stops the process (and the store bridge) by its PID.
 */
export async function startRuntimeApp(runtime: FoundRuntime, flavour: RuntimeAppConfig['flavour'], options: ManagerOptions): Promise<RunningApp> {
  const { store, ...plain } = options as ManagerOptions & { store?: SessionStore };
  for (const [key, value] of Object.entries(plain)) {
    if (typeof value === 'function') throw new Error(`option ${key} is a function: it cannot reach another runtime`);
  }
  const bridge = store === undefined ? undefined : await storeBridge(store);
  const config: RuntimeAppConfig = { flavour, options: plain as Record<string, unknown>, ...(bridge ? { store: { url: bridge.url, methods: bridge.methods } } : {}) };
  const child = spawn(runtime.path, commandLine(runtime, join(root, 'src/fetch/test-setup.ts')), {
    cwd: root,
    env: { ...process.env, TESSERA_RUNTIME_APP: JSON.stringify(config), NO_COLOR: '1' },
    // stdin stays open while this process lives: the app exits when it closes (see test-setup.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const errors = { text: '' };
  child.stderr!.on('data', (data: Buffer) => {
    errors.text = (errors.text + data.toString('utf8')).slice(-4000);
  });
  const close = async (): Promise<void> => {
    await stop(child);
    await bridge?.close();
  };
  try {
    const port = await portOf(child, errors);
    return { url: `http://127.0.0.1:${port}`, close };
  } catch (error) {
    await close();
    throw new Error(`${runtime.name} app did not start: ${(error as Error).message}`);
  }
}

/**
 * Registers the conformance suite for the Fetch adapter (`withSession`) and for the Hono
 * middleware, each served by `name`'s own server; skipped with a reason when the runtime is not
 * found (a failure under CI).
 */
export function runtimeConformance(name: RuntimeName): void {
  const runtime = findRuntime(name);
  const label = typeof runtime === 'string' ? name : runtime.version;
  for (const flavour of ['fetch', 'hono'] as const) {
    runAdapterConformanceWith(`${flavour === 'fetch' ? 'Fetch (withSession)' : 'Hono'} on ${label}`, {
      ...(typeof runtime === 'string' ? { skip: runtime } : {}),
      startWith: (options) => startRuntimeApp(runtime as FoundRuntime, flavour, options),
    });
  }
}

/** Serves a Fetch handler on Node's node:http through @hono/node-server's bridge, with Node's own Request and Response (no global override). */
export async function serveOnNode(handler: (request: Request) => Promise<Response>): Promise<RunningApp> {
  const server = createServer(getRequestListener(handler, { overrideGlobalObjects: false }));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
