// Private redis-server processes for tests that stop, pause or kill a server: one server, or a
// Redis Cluster of 3 masters and 3 replicas, on ports of 127.0.0.1 that this file picks and
// checks free, with no persistence and their files under os.tmpdir(). Every process is stopped
// by its PID (stop(), and at the latest when the test process exits); nothing else is touched.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export const HOST = '127.0.0.1';

/** Why no private server can be started (redis-server missing), or undefined. Under CI a missing redis-server throws instead. */
export function redisServerSkip(): string | undefined {
  if (spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0) return undefined;
  const reason = 'redis-server or redis-cli is not installed, so no private Redis can be started';
  if (process.env.CI) throw new Error(`${reason}; CI is set, so this is a failure, not a skip`);
  console.warn(`# skipping: ${reason}`);
  return reason;
}

/** The processes this file started and has not stopped yet. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
});

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * `count` consecutive free ports from `preferred` on (with their cluster bus ports, +10000, free
 * too), moving up in steps of 20 when one is taken; at most 50 tries.
 */
export async function freePorts(preferred: number, count: number): Promise<number[]> {
  for (let base = preferred, attempt = 0; attempt < 50; attempt++, base += 20) {
    const ports = Array.from({ length: count }, (_, i) => base + i);
    let free = true;
    for (const port of ports) free = free && (await portFree(port)) && (await portFree(port + 10_000));
    if (free) return ports;
  }
  throw new Error(`no ${count} free ports from ${preferred} on`);
}

/** A redis-server this file started. */
export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  /** The process has not exited. */
  readonly alive: boolean;
  /** SIGKILL, then wait for the exit (bounded). Idempotent. */
  kill(): Promise<void>;
  /** Sends a signal by PID (SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts `redis-server` on `port` with no persistence, in `dir`, and waits until it accepts connections (at most 5 s). */
export async function startRedisServer(port: number, dir: string, args: string[] = []): Promise<RedisServer> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, `redis-${port}.log`), ...args],
    { stdio: 'ignore' },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  const server: RedisServer = {
    port,
    pid: child.pid ?? -1,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(child.pid, 'SIGKILL');
      await Promise.race([exited, sleep(5_000, undefined, { ref: false })]);
    },
    signal(signal) {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, signal);
    },
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before listening on ${port} (see ${dir})`);
    if (await canConnect(port)) return server;
    await sleep(50);
  }
  await server.kill();
  throw new Error(`redis-server did not listen on ${port} within 5 s`);
}

/** A scratch directory under os.tmpdir(); removed by the returned function. */
export function scratchDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `tessera-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One node as CLUSTER NODES describes it. */
export interface ClusterNode {
  id: string;
  port: number;
  master: boolean;
  /** The master's ID, for a replica. */
  masterId: string | undefined;
  failed: boolean;
  /** The slot ranges it serves (a master), as [from, to]. */
  slots: Array<[number, number]>;
}

/** A running 3-master, 3-replica Redis Cluster. */
export interface RedisCluster {
  readonly ports: readonly number[];
  /** The startup nodes, as both clients take them. */
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  readonly servers: ReadonlyMap<number, RedisServer>;
  /** CLUSTER NODES as seen from `port` (default: the first live node). */
  topology(port?: number): Promise<ClusterNode[]>;
  /** The master serving `key`'s slot, as the first live node sees it. */
  masterOf(key: string): Promise<ClusterNode>;
  /** A command on one node, over a short-lived connection. */
  command(port: number, args: string[]): Promise<unknown>;
  /** Kills every node and removes the files. Idempotent. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** First port to try (default 7301); six consecutive free ports are used. */
  basePort?: number;
  /** cluster-node-timeout in ms (default 1000). */
  nodeTimeoutMs?: number;
}

/** Runs one command on one node over a connection of its own, bounded to 2 s. */
export async function nodeCommand(port: number, args: string[]): Promise<unknown> {
  const redis = new Redis({ host: HOST, port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000, commandTimeout: 2_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await redis.call(args[0]!, args.slice(1));
  } finally {
    redis.disconnect();
  }
}

function parseNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...ranges] = line.split(' ');
      const port = Number(/:(\d+)@/.exec(address ?? '')?.[1]);
      const slots = ranges.filter((r) => /^\d+(-\d+)?$/.test(r)).map((r) => r.split('-').map(Number) as [number, number?]).map(([from, to]): [number, number] => [from, to ?? from]);
      return { id: id!, port, master: flags!.includes('master'), masterId: masterId === '-' ? undefined : masterId, failed: /\bfail\b/.test(flags!), slots };
    });
}

/**
 * Starts six cluster-enabled redis-servers and joins them with `redis-cli --cluster create ...
 * --cluster-replicas 1`, then waits (at most 30 s) until every node reports `cluster_state:ok`,
 * knows all six, and every replica is in sync with its master.
 */
export async function startRedisCluster(options: ClusterOptions = {}): Promise<RedisCluster> {
  const ports = await freePorts(options.basePort ?? 7301, 6);
  const scratch = scratchDir('cluster');
  const servers = new Map<number, RedisServer>();
  const stop = async (): Promise<void> => {
    for (const server of servers.values()) await server.kill();
    scratch.remove();
  };
  try {
    for (const port of ports) {
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1_000)];
      // Replicas sync at once (diskless, no delay) instead of after the default 5 s.
      args.push('--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0');
      servers.set(port, await startRedisServer(port, scratch.dir, args));
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (${create.status}): ${create.stdout}\n${create.stderr}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await clusterReady(ports)) break;
      if (Date.now() > deadline) throw new Error('the cluster did not become ready within 30 s');
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const cluster: RedisCluster = {
    ports,
    nodes: ports.map((port) => ({ host: HOST, port })),
    servers,
    async topology(port) {
      const live = port ?? [...servers.values()].find((s) => s.alive)?.port ?? ports[0]!;
      return parseNodes(String(await nodeCommand(live, ['CLUSTER', 'NODES'])));
    },
    async masterOf(key) {
      const live = [...servers.values()].find((s) => s.alive)!.port;
      const slot = Number(await nodeCommand(live, ['CLUSTER', 'KEYSLOT', key]));
      const master = (await cluster.topology(live)).find((n) => n.master && !n.failed && n.slots.some(([from, to]) => slot >= from && slot <= to));
      if (master === undefined) throw new Error(`no live master serves slot ${slot}`);
      return master;
    },
    command: nodeCommand,
    stop,
  };
  return cluster;
}

async function clusterReady(ports: readonly number[]): Promise<boolean> {
  try {
    for (const port of ports) {
      const info = String(await nodeCommand(port, ['CLUSTER', 'INFO']));
      if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${ports.length}`)) return false;
      const replication = String(await nodeCommand(port, ['INFO', 'replication']));
      if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
    }
    return true;
  } catch {
    return false;
  }
}
