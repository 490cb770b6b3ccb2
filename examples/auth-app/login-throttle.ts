// Login throttling: failed logins counted per account and per client IP over a sliding window,
// on the injected clock. An attempt is refused (429) while either count is at its limit; a
// refused attempt checks no password and counts nothing. A successful login clears the account's
// failures (not the IP's). Kept in this process's memory, bounded in keys: a demo's limit, reset
// at restart and not shared between processes (use a shared store such as Redis for that).
import type { Clock } from '../../src/index.js';

export interface LoginLimits {
  /** Failed logins allowed per account in the window. Default 5. */
  perAccount?: number;
  /** Failed logins allowed per client IP in the window. Default 20. */
  perIp?: number;
  /** The window, in seconds. Default 900 (15 minutes). */
  window?: number;
  /** Most accounts and IPs tracked at once; the least recently failed go first. Default 10 000. */
  maxKeys?: number;
}

/** Why an attempt is refused, and when to try again. */
export interface Refusal {
  reason: 'account' | 'ip';
  /** Seconds until an attempt is accepted again (at least 1). */
  retryAfter: number;
}

/** Failure instants (epoch ms, oldest first) per key, keeping at most `limit` of them. */
class FailureLog {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly maxKeys: number,
  ) {}

  /** The failures of `key` still in the window at `now`. */
  recent(key: string, now: number): number[] {
    const list = this.#failures.get(key);
    if (list === undefined) return [];
    const live = list.filter((at) => at > now - this.windowMs);
    if (live.length === 0) this.#failures.delete(key);
    else if (live.length !== list.length) this.#failures.set(key, live);
    return live;
  }

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  blockedFor(key: string, now: number): number {
    const live = this.recent(key, now);
    if (live.length < this.limit) return 0;
    return live[live.length - this.limit]! + this.windowMs - now;
  }

  record(key: string, now: number): void {
    const live = [...this.recent(key, now), now].slice(-this.limit);
    this.#failures.delete(key); // re-inserted last: the Map's order is the eviction order
    this.#failures.set(key, live);
    for (const oldest of this.#failures.keys()) {
      if (this.#failures.size <= this.maxKeys) break;
      this.#failures.delete(oldest);
    }
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }
}

/** Counts failed logins and says when an attempt must be refused. */
export class LoginThrottle {
  readonly #accounts: FailureLog;
  readonly #ips: FailureLog;

  constructor(
    readonly clock: Clock,
    limits: LoginLimits = {},
  ) {
    const windowMs = (limits.window ?? 900) * 1000;
    const maxKeys = limits.maxKeys ?? 10_000;
    this.#accounts = new FailureLog(limits.perAccount ?? 5, windowMs, maxKeys);
    this.#ips = new FailureLog(limits.perIp ?? 20, windowMs, maxKeys);
  }

  /** A refusal when `account` or `ip` has used up its failures, otherwise undefined. */
  check(account: string, ip: string): Refusal | undefined {
    const now = this.clock.now();
    const byAccount = this.#accounts.blockedFor(account, now);
    const byIp = this.#ips.blockedFor(ip, now);
    if (byAccount === 0 && byIp === 0) return undefined;
    const reason = byAccount >= byIp ? 'account' : 'ip';
    return { reason, retryAfter: Math.max(1, Math.ceil(Math.max(byAccount, byIp) / 1000)) };
  }

  failed(account: string, ip: string): void {
    const now = this.clock.now();
    this.#accounts.record(account, now);
    this.#ips.record(ip, now);
  }

  succeeded(account: string): void {
    this.#accounts.clear(account);
  }
}
