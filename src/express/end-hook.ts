import type { ServerResponse } from 'node:http';
import type { PreparedCommit, Session, SessionManager } from '../core/index.js';

/** What the hook reports and how it answers when a commit fails before the headers left. */
export interface EndHookHandlers {
  onCommitError(error: unknown): void;
  /** Writes the failure response (headers not sent yet) with the original `end`. */
  respondFailure(error: unknown, end: () => void): void;
}

/** Applies a prepared commit's headers: Set-Cookie, and `Cache-Control: no-store` whenever a cookie is set. */
export function applyCookieHeaders(res: ServerResponse, prepared: PreparedCommit): void {
  if (prepared.setCookie.length === 0) return;
  for (const value of prepared.setCookie) res.appendHeader('Set-Cookie', value);
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * The one response interception in tessera, on the instance only:
 * - `writeHead` (explicit, or implicit from the first `write`) decides and sets the cookie;
 * - `end` runs the store write first and only then ends the response, so the next request (the
 *   one after a login redirect) finds the session. A second `end` is ignored.
 */
export function installEndHook<T extends object>(
  res: ServerResponse,
  manager: SessionManager<T>,
  session: () => Session<T>,
  handlers: EndHookHandlers,
): void {
  const originalWriteHead = res.writeHead;
  const originalEnd = res.end;
  let ending = false;
  let headersDone = false;

  const prepareHeaders = (): void => {
    if (headersDone) return;
    headersDone = true;
    let prepared: PreparedCommit | undefined;
    try {
      prepared = manager.prepareCommit(session(), { streaming: true });
      applyCookieHeaders(res, prepared);
    } catch (error) {
      handlers.onCommitError(error);
    }
    manager.markHeadersSent(session(), prepared);
  };

  res.writeHead = function tesseraWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (!res.headersSent) prepareHeaders();
    return (originalWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];

  res.end = function tesseraEnd(this: ServerResponse, ...args: unknown[]) {
    if (ending) return res;
    ending = true;
    // If the original end throws (a bad argument), a later end() must still be able to answer.
    const end = (): ServerResponse => {
      try {
        return (originalEnd as (...a: unknown[]) => ServerResponse).apply(res, args);
      } catch (error) {
        ending = false;
        throw error;
      }
    };
    const fail = (error: unknown): void => {
      headersDone = true;
      handlers.respondFailure(error, () => (originalEnd as () => void).call(res));
    };
    let prepared: PreparedCommit;
    try {
      prepared = manager.prepareCommit(session());
    } catch (error) {
      if (res.headersSent) {
        handlers.onCommitError(error);
        return end();
      }
      fail(error);
      return res;
    }
    const finish = (): void => {
      if (!res.headersSent && !headersDone) {
        applyCookieHeaders(res, prepared);
        headersDone = true;
        manager.markHeadersSent(session(), prepared);
      }
      end();
    };
    if (!prepared.pending) {
      finish();
      return res;
    }
    prepared
      .run()
      .then(finish, (error: unknown) => {
        if (!res.headersSent) return fail(error);
        handlers.onCommitError(error);
        end();
      })
      .catch((error: unknown) => {
        // The response could not be ended normally (a bad end() argument, say): report and close.
        handlers.onCommitError(error);
        if (!res.writableEnded) res.destroy(error instanceof Error ? error : undefined);
      });
    return res;
  } as ServerResponse['end'];
}
