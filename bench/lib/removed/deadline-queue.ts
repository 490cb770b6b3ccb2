// src/core/deadline-queue.ts as it was at 116bdf8, before eaf4c3a removed it (the figures of
// bench/machinery.ts showed it saved nothing). Kept here, unchanged but for the import path, so
// that the measurement behind that decision can be rerun. Not used by tessera.
import { SessionError } from '../../../src/core/errors.js';

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
 * and one timer armed for the oldest, on the monotonic clock. A settled call is only marked and
 * dropped when it reaches the head; once no call is pending the queue is emptied and the timer
 * cleared, so it keeps the process alive exactly while a store call is pending, as a timer per
 * call did. Creating and clearing a timer per store call costs more than the rest of a cached
 * read; this costs an array push.
 */
export function createDeadlineQueue(timeoutMs: number, now: () => number = () => performance.now()): DeadlineQueue {
  let queue: Pending[] = [];
  let head = 0;
  let unsettled = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Marks a call settled; the last pending one empties the queue and stops the timer. */
  const settle = (pending: Pending): void => {
    pending.settled = true;
    unsettled--;
    if (unsettled === 0) {
      queue = [];
      head = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    }
  };

  const fire = (): void => {
    timer = undefined;
    const at = now();
    while (head < queue.length) {
      const pending = queue[head]!;
      if (!pending.settled) {
        if (pending.at > at) break;
        settle(pending);
        pending.reject(new SessionError('ERR_SESSION_STORE', `session store ${pending.operation} timed out after ${timeoutMs} ms`));
      }
      head++;
    }
    if (head >= queue.length) {
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
  };

  return {
    bound<T>(operation: string, promise: Promise<T>, wrapError: (error: unknown) => unknown): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const pending: Pending = { at: now() + timeoutMs, settled: false, reject, operation };
        queue.push(pending);
        unsettled++;
        if (timer === undefined) arm(timeoutMs);
        promise.then(
          (value) => {
            if (pending.settled) return;
            settle(pending);
            resolve(value);
          },
          (error: unknown) => {
            if (pending.settled) return;
            settle(pending);
            reject(wrapError(error));
          },
        );
      });
    },
  };
}
