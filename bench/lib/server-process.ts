// Starts one benchmark server in a process of its own and talks to it over IPC.
// Every child is remembered by PID so that it is stopped even when the run fails.
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import type { ControlRequest, Counters, ReadyMessage } from '../servers/harness.js';
import { compiled } from './build.js';

const running = new Set<ChildProcess>();

export interface ServerHandle {
  port: number;
  pid: number;
  /** Zeroes the server's CPU and request counters. */
  reset(): Promise<void>;
  /** CPU µs and requests since the last reset. */
  read(): Promise<{ cpuUs: number; requests: number }>;
  stop(): Promise<void>;
}

export type StartResult = { ok: true; server: ServerHandle } | { ok: false; reason: string };

function reply<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`server ${child.pid} gave no ${type} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { type: string }): void => {
      if (message.type === type || (type === 'ready' && message.type === 'unavailable')) finish(undefined, message as T);
    };
    const onExit = (code: number | null): void => finish(new Error(`server ${child.pid} exited (${code}) before ${type}`));
    function finish(error?: Error, value?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Stops a child by its PID: a polite shutdown message, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ type: 'shutdown' } satisfies ControlRequest);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

/**
 * Starts the compiled `bench/servers/<file>.ts <arg>` (see build.ts) with plain node and waits
 * until it listens (or says it cannot run). `BENCH_SERVER_FLAGS` adds node flags (e.g. --cpu-prof).
 */
export async function startServer(file: string, arg: string | undefined, env: Record<string, string>): Promise<StartResult> {
  const script = compiled(`bench/servers/${file}.ts`);
  const child = fork(script, arg === undefined ? [] : [arg], {
    execArgv: process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [],
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  let ready: ReadyMessage;
  try {
    ready = await reply<ReadyMessage>(child, 'ready', 20_000);
  } catch (error) {
    await stopChild(child, 500);
    return { ok: false, reason: (error as Error).message };
  }
  if (ready.type === 'unavailable') {
    await stopChild(child, 500);
    return { ok: false, reason: ready.reason };
  }
  const ask = async <T>(request: ControlRequest, answer: string): Promise<T> => {
    const answered = reply<T>(child, answer, 5000);
    child.send(request);
    return answered;
  };
  return {
    ok: true,
    server: {
      port: ready.port,
      pid: child.pid!,
      reset: async () => {
        await ask({ type: 'reset' }, 'reset-done');
      },
      read: async () => {
        const counters = await ask<Counters>({ type: 'read' }, 'counters');
        return { cpuUs: counters.cpuUs, requests: counters.requests };
      },
      stop: () => stopChild(child),
    },
  };
}

/** Stops every server still running (on failure or exit). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, 1000)));
}

/** Last resort on a synchronous exit: SIGKILL each remaining child by PID. */
export function killAllNow(): void {
  for (const child of running) {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
