// Shared set-up for the Koa adapter tests; not built into the package. Both Koa majors (`koa` is
// 3.x, `koa2` an npm alias of 2.x, untyped: it has Koa 3's API for what these tests use) and a
// server for an app on 127.0.0.1, port 0.
import { createRequire } from 'node:module';
import Koa from 'koa';
import type { Middleware, ParameterizedContext } from 'koa';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningApp } from '../testing/index.js';

/** Koa's application class, either major. */
export type KoaClass = typeof Koa;

const koa2 = ((await import('koa2' as string)) as { default: KoaClass }).default;
const major = (name: string): string => String((createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version).split('.')[0]!;
if (major('koa') !== '3' || major('koa2') !== '2') throw new Error(`expected koa 3.x and koa2 2.x, found ${major('koa')} and ${major('koa2')}`);

/** The Koa majors the tests run against, by name. */
export const KOA_VERSIONS: ReadonlyArray<readonly [name: string, Koa: KoaClass]> = [
  ['Koa 3', Koa],
  ['Koa 2', koa2],
];

/** Serves a Koa app on 127.0.0.1 until `close()`. */
export function listen(app: Koa): Promise<RunningApp> {
  return serve(app.callback());
}

/** Builds an app on `Koa`, serves it while `test` runs with a browser (a real cookie jar), then closes it. */
export async function withApp(KoaApp: KoaClass, build: (app: Koa) => void, test: (browser: Browser, url: string) => Promise<void>): Promise<void> {
  const app = new KoaApp();
  app.silent = true;
  build(app);
  const running = await listen(app);
  try {
    await test(new Browser(running.url), running.url);
  } finally {
    await running.close();
  }
}

/** An error-handling middleware: what the rest of the chain throws goes to `handle` (which may throw it on). */
export function rescue(handle: (ctx: ParameterizedContext, error: unknown) => void): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      handle(ctx, error);
    }
  };
}
