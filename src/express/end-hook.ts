import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Session, SessionManager } from '../index.js';
import type { PreparedCommit, SessionProtocol } from '../adapter/index.js';
import { nodeHeaderSink, writeSessionHeaders } from '../adapter/index.js';

/** What the hook reports and how it answers when a commit fails before the headers left. Shared by all requests of one middleware. */
export interface EndHookHandlers {
  onCommitError(error: unknown, hook: EndHook): void;
  /** Writes the failure response (headers not sent yet); `end` is the original `end`. */
  respondFailure(error: unknown, hook: EndHook, end: () => void): void;
}

/** Applies a prepared commit's headers: each Set-Cookie appended, the others (Cache-Control, a token header) set. */
export function applyCookieHeaders(res: ServerResponse, prepared: PreparedCommit): void {
  if (prepared.headers.length > 0) writeSessionHeaders(prepared.headers, nodeHeaderSink(res));
}

type Method = (...args: unknown[]) => unknown;

/**
 * The one response interception in tessera, on the instance only:
 * - `writeHead` (explicit, or implicit from the first `write`) decides and sets the cookie;
 * - `end` runs the store write first and only then ends the response, so the next request (the
 *   one after a login redirect) finds the session. A second `end` is ignored.
 *
 * One object per request holds the state; the two wrappers put on the response only forward to
 * it. They go on when the session is loaded, before any later middleware can save the original
 * `end`/`writeHead` for its own wrapper, so tessera's always run.
 */
export class EndHook {
  #ending = false;
  #headersDone = false;
  #endArgs: unknown[] | undefined;
  readonly #end: Method;
  /** The hooks of further managers mounted on the same request (the first manager's hook holds them). */
  others: EndHook[] | undefined;

  /** Puts the wrappers on the response at once, before later middleware can save the originals. */
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly manager: SessionManager<object>,
    readonly protocol: SessionProtocol<object>,
    readonly session: Session<object>,
    readonly handlers: EndHookHandlers,
  ) {
    const writeHead = res.writeHead as Method;
    this.#end = res.end as Method;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const hook = this;
    res.writeHead = function tesseraWriteHead(this: ServerResponse, ...args: unknown[]) {
      if (!hook.res.headersSent) hook.#prepareHeaders();
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    res.end = function tesseraEnd(...args: unknown[]) {
      return hook.#onEnd(args);
    } as ServerResponse['end'];
  }

  #prepareHeaders(): void {
    if (this.#headersDone) return;
    this.#headersDone = true;
    let prepared: PreparedCommit | undefined;
    try {
      prepared = this.protocol.prepare(this.session, { streaming: true });
      applyCookieHeaders(this.res, prepared);
    } catch (error) {
      this.handlers.onCommitError(error, this);
    }
    this.protocol.sent(this.session, prepared);
  }

  #onEnd(args: unknown[]): ServerResponse {
    const res = this.res;
    if (this.#ending) return res;
    this.#ending = true;
    this.#endArgs = args;
    let prepared: PreparedCommit;
    try {
      prepared = this.protocol.prepare(this.session);
    } catch (error) {
      if (res.headersSent) {
        this.handlers.onCommitError(error, this);
        return this.#endNow();
      }
      this.#fail(error);
      return res;
    }
    if (!prepared.pending) {
      this.#finish(prepared);
      return res;
    }
    prepared
      .run()
      .then(
        () => this.#finish(prepared),
        (error: unknown) => {
          if (!res.headersSent) return this.#fail(error);
          this.handlers.onCommitError(error, this);
          this.#endNow();
        },
      )
      .catch((error: unknown) => {
        // The response could not be ended normally (a bad end() argument, say): report and close.
        this.handlers.onCommitError(error, this);
        if (!res.writableEnded) res.destroy(error instanceof Error ? error : undefined);
      });
    return res;
  }

  #finish(prepared: PreparedCommit): void {
    if (!this.res.headersSent && !this.#headersDone) {
      applyCookieHeaders(this.res, prepared);
      this.#headersDone = true;
      this.protocol.sent(this.session, prepared);
    }
    this.#endNow();
  }

  /** The original `end` with the caller's arguments. If it throws (a bad argument), a later `end()` can still answer. */
  #endNow(): ServerResponse {
    try {
      return this.#end.apply(this.res, this.#endArgs!) as ServerResponse;
    } catch (error) {
      this.#ending = false;
      throw error;
    }
  }

  #fail(error: unknown): void {
    this.#headersDone = true;
    this.handlers.respondFailure(error, this, () => this.#end.call(this.res));
  }
}
