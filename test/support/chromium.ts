// Debian's Chromium for the browser tests, driven by playwright-core (never a browser download).
import { existsSync } from 'node:fs';

/** Where Chromium is: Debian's, unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags every browser test launches Chromium with. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * A fresh machine has no browser until `.ci/run` installs Debian's chromium: outside CI that is a
 * skip with its reason, under CI a failure.
 */
export function chromiumSkip(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (install Debian's chromium, as .ci/run does, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`${reason}; CI is set, so this is a failure, not a skip`);
  console.warn(`# skipping: ${reason}`);
  return reason;
}
