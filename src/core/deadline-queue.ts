import { SessionError } from './errors.js';

interface Pending {
  at: number;
  settled: boolean;
  reject: (error: SessionError) => void;
  operation: string;
}

/** Bounds promises in time with one timer for all of them, instead of a timer per call. */
export interface DeadlineQueue {
  /** `promise`, or an `ERR_SESSION_STORE` timeout after the queue's timeout, whichever comes first. */
  bound<T>(operation: string, promise: Promise<T>, wrapError: (error: unknown) => unknown): Promise<T>;
}

/**
 * Every call gets the same timeout, so deadlines arrive in call order: a FIFO of pending calls
 * and one unref'd timer armed for the oldest. A settled call is only marked and dropped when it
 * reaches the head. Creating and clearing a timer per store call costs more than the rest of a
 * cached read; this costs an array push.
 */
export function createDeadlineQueue(timeoutMs: number, now: () => number = Date.now): DeadlineQueue {
  let queue: Pending[] = [];
  let head = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const fire = (): void => {
    timer = undefined;
    const at = now();
    while (head < queue.length) {
      const pending = queue[head]!;
      if (!pending.settled) {
        if (pending.at > at) break;
        pending.settled = true;
        pending.reject(new SessionError('ERR_SESSION_STORE', `session store ${pending.operation} timed out after ${timeoutMs} ms`));
      }
      head++;
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
      return;
    }
    if (head > 1024) {
      queue = queue.slice(head);
      head = 0;
    }
    arm(queue[head]!.at - at);
  };
  const arm = (delay: number): void => {
    timer = setTimeout(fire, Math.max(0, delay));
    timer.unref();
  };

  return {
    bound<T>(operation: string, promise: Promise<T>, wrapError: (error: unknown) => unknown): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const pending: Pending = { at: now() + timeoutMs, settled: false, reject, operation };
        queue.push(pending);
        if (timer === undefined) arm(timeoutMs);
        promise.then(
          (value) => {
            if (pending.settled) return;
            pending.settled = true;
            resolve(value);
          },
          (error: unknown) => {
            if (pending.settled) return;
            pending.settled = true;
            reject(wrapError(error));
          },
        );
      });
    },
  };
}
