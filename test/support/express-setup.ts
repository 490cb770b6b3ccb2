// Shared set-up for the Express middleware tests (src/express/*.test.ts): the fixture app on a running
// server, and the session ID in a Set-Cookie value. Kept out of src/ so the package build never sees it.
import { serve } from './http.js';
import type { RunningServer } from './http.js';
import { fixtureApp } from './fixture-app.js';
import type { Fixture } from './fixture-app.js';

export const NAME = '__Host-sid';

export async function withFixture(options: Parameters<typeof fixtureApp>[0], run: (f: Fixture, server: RunningServer) => Promise<void>) {
  const fixture = fixtureApp(options);
  const server = await serve(fixture.app);
  try {
    await run(fixture, server);
  } finally {
    await server.close();
  }
}

export function idFrom(setCookie: string): string {
  const value = setCookie.split(';')[0]!.split('=')[1]!;
  return value.split('.')[0]!;
}
