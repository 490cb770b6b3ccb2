import { SessionError } from '../index.js';

/**
 * The optional periodic `deleteExpired()` of the SQL stores: every `seconds` on an unref'd timer
 * (so it never keeps the process alive), failures passed to `onError`. Undefined `seconds`: none.
 */
export function startCleanupTimer(
  seconds: number | undefined,
  sweep: () => Promise<unknown>,
  onError: (error: unknown) => void,
): ReturnType<typeof setInterval> | undefined {
  if (seconds === undefined) return undefined;
  if (!(seconds > 0)) throw new SessionError('ERR_SESSION_CONFIG', 'cleanupInterval must be a positive number of seconds');
  const timer = setInterval(() => void sweep().catch(onError), seconds * 1000);
  timer.unref();
  return timer;
}
