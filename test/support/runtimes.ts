// Bun and Deno for the tests: find the binary (the npm packages `bun` and `@deno/linux-x64-glibc`,
// or BUN_PATH / DENO_PATH, or PATH), run src/fetch/test-setup.ts in it, and have it serve the
// Fetch adapter's conformance app with a manager made there from the suite's options. A store the
// suite gives stays in this process and is reached from the runtime over a small HTTP bridge.
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
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

/** A Bun or Deno process running the control server of src/fetch/test-setup.ts. */
export interface RuntimeProcess {
  readonly runtime: FoundRuntime;
  /** The control server's origin. */
  readonly url: string;
  /** Stops the process by its PID. */
  stop(): Promise<void>;
}

/** Starts `runtime` on src/fetch/test-setup.ts (the TypeScript sources, no build) and waits for its control port. */
export async function startRuntime(runtime: FoundRuntime): Promise<RuntimeProcess> {
  const child = spawn(runtime.path, commandLine(runtime, join(root, 'src/fetch/test-setup.ts')), {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    // stdin stays open while this process lives: the runtime exits when it closes (see test-setup.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const errors = { text: '' };
  child.stderr!.on('data', (data: Buffer) => {
    errors.text = (errors.text + data.toString('utf8')).slice(-4000);
  });
  try {
    const port = await portOf(child, errors);
    return { runtime, url: `http://127.0.0.1:${port}`, stop: () => stop(child) };
  } catch (error) {
    await stop(child);
    throw new Error(`${runtime.name} did not start: ${(error as Error).message}`);
  }
}

async function control(runtime: RuntimeProcess, path: string, body?: unknown): Promise<{ id: string; port: number }> {
  const response = await fetch(`${runtime.url}${path}`, { method: 'POST', body: JSON.stringify(body ?? {}), signal: AbortSignal.timeout(20_000) });
  if (response.status !== 200) throw new Error(`${runtime.runtime.name} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; port: number };
}

/**
 * Starts the conformance app in the runtime (a `withSession` handler, or Hono with the `session`
 * middleware) on a new manager made there from `options`, served by the runtime's own server on
 * a free port of 127.0.0.1. A `store` in `options` stays here, behind an HTTP bridge.
 */
export async function startRuntimeApp(runtime: RuntimeProcess, flavour: RuntimeAppConfig['flavour'], options: ManagerOptions): Promise<RunningApp> {
  const { store, ...plain } = options as ManagerOptions & { store?: SessionStore };
  for (const [key, value] of Object.entries(plain)) {
    if (typeof value === 'function') throw new Error(`option ${key} is a function: it cannot reach another runtime`);
  }
  const bridge = store === undefined ? undefined : await storeBridge(store);
  const config: RuntimeAppConfig = { flavour, options: plain as Record<string, unknown>, ...(bridge ? { store: { url: bridge.url, methods: bridge.methods } } : {}) };
  try {
    const { id, port } = await control(runtime, '/start', config);
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        await control(runtime, `/stop?id=${id}`);
        await bridge?.close();
      },
    };
  } catch (error) {
    await bridge?.close();
    throw error;
  }
}

/**
 * Registers the conformance suite for the Fetch adapter (`withSession`) and for the Hono
 * middleware, each served by `name`'s own server (one runtime process for the file, one app per
 * case); skipped with a reason when the runtime is not found (a failure under CI).
 */
export function runtimeConformance(name: RuntimeName): void {
  const runtime = findRuntime(name);
  const label = typeof runtime === 'string' ? name : runtime.version;
  let started: Promise<RuntimeProcess> | undefined;
  after(async () => {
    if (started !== undefined) await (await started.catch(() => undefined))?.stop();
  });
  for (const flavour of ['fetch', 'hono'] as const) {
    runAdapterConformanceWith(`${flavour === 'fetch' ? 'Fetch (withSession)' : 'Hono'} on ${label}`, {
      ...(typeof runtime === 'string' ? { skip: runtime } : {}),
      startWith: async (options) => startRuntimeApp(await (started ??= startRuntime(runtime as FoundRuntime)), flavour, options),
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
