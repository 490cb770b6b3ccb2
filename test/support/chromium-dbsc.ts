// Launches Debian's Chromium so that it does Device Bound Session Credentials headless, or says
// precisely why it cannot. What makes DBSC work in Chromium 156 on Linux (docs/dbsc-browser-notes.md):
//   1. --enable-features=DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting
//      (the feature is off by default; without a TPM the software key provider is needed);
//   2. an https origin whose certificate Chromium counts as valid: DBSC ignores responses of
//      http://localhost and of https with certificate errors (even under --ignore-certificate-errors),
//      so a self-signed certificate is made trusted with --ignore-certificate-errors-spki-list.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';

export const DBSC_FEATURES = ['DeviceBoundSessions', 'EnableBoundSessionCredentialsSoftwareKeysForManualTesting'];

export interface TlsPair {
  key: string;
  cert: string;
}

export interface DbscChromium {
  browser: Browser;
  /** Serve the app under test over https with this pair: its certificate is the trusted one. */
  tls: TlsPair;
  /** Names the certificate covers (all resolve to 127.0.0.1). */
  hosts: string[];
  /** The exact Chromium arguments used. */
  args: string[];
  version: string;
  close(): Promise<void>;
}

/**
 * `environment`: no browser, no openssl, launch failure (a broken machine, not an answer).
 * `unsupported`: the browser ran and did not take a DBSC registration up (the build cannot do DBSC).
 */
export type DbscChromiumResult = { ok: true; chromium: DbscChromium } | { ok: false; kind: 'environment' | 'unsupported'; reason: string };

/** A self-signed P-256 certificate for localhost and 127.0.0.1 (openssl), and its SPKI SHA-256. */
export function makeTlsPair(): TlsPair & { spki: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dbsc-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const der = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    return { key, cert, spki: createHash('sha256').update(der).digest('base64') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Does this browser register? A throwaway https origin answers `/` with a registration offer and
 * records whether a `dbsc+jwt` proof arrives at the registration path within `timeoutMs`.
 */
async function probe(browser: Browser, tls: TlsPair, timeoutMs: number): Promise<string | undefined> {
  let resolveProof: (jws: string) => void = () => {};
  const proof = new Promise<string>((resolve) => {
    resolveProof = resolve;
  });
  const server = createServer(tls, (req, res) => {
    if (req.url === '/probe-register') {
      resolveProof(String(req.headers['secure-session-response'] ?? ''));
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html',
      'secure-session-registration': '(ES256 RS256);path="/probe-register";challenge="probe"',
    });
    res.end('<!doctype html><title>probe</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`https://localhost:${(server.address() as AddressInfo).port}/`, { timeout: 30_000 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const jws = await Promise.race([proof, timeout]);
    clearTimeout(timer);
    return jws;
  } finally {
    await context.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

export interface LaunchOptions {
  executablePath?: string;
  /** How long the probe waits for the registration request (ms). */
  probeTimeoutMs?: number;
  /** Features to enable instead of DBSC_FEATURES (to show what is needed). */
  features?: string[];
}

/** Launches Chromium for DBSC tests and proves that it registers; or returns why it cannot. */
export async function launchChromiumForDbsc(options: LaunchOptions = {}): Promise<DbscChromiumResult> {
  const executablePath = options.executablePath ?? CHROMIUM;
  const probeTimeoutMs = options.probeTimeoutMs ?? 20_000;
  if (!existsSync(executablePath)) {
    return { ok: false, kind: 'environment', reason: `no Chromium at ${executablePath} (install Debian's chromium, or set CHROMIUM_PATH)` };
  }
  let tls: ReturnType<typeof makeTlsPair>;
  try {
    tls = makeTlsPair();
  } catch (error) {
    return { ok: false, kind: 'environment', reason: `openssl could not make the test certificate: ${(error as Error).message}` };
  }
  const args = [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${tls.spki}`, `--enable-features=${(options.features ?? DBSC_FEATURES).join(',')}`];
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args, timeout: 30_000 });
  } catch (error) {
    return { ok: false, kind: 'environment', reason: `Chromium at ${executablePath} did not start: ${(error as Error).message.split('\n')[0]}` };
  }
  const version = browser.version();
  let jws: string | undefined;
  try {
    jws = await probe(browser, tls, probeTimeoutMs);
  } catch (error) {
    await browser.close();
    return { ok: false, kind: 'environment', reason: `the DBSC probe page did not load in Chromium ${version}: ${(error as Error).message.split('\n')[0]}` };
  }
  if (!jws || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jws)) {
    await browser.close();
    return {
      ok: false,
      kind: 'unsupported',
      reason:
        `this Chromium build cannot do DBSC: Chromium ${version} (${executablePath}), headless, launched with ${args.join(' ')}, ` +
        `loaded an https://localhost page (certificate trusted through the SPKI list) answering ` +
        `Secure-Session-Registration: (ES256 RS256);path="/probe-register";challenge="probe", and sent ` +
        (jws === undefined ? `no registration request within ${probeTimeoutMs} ms` : `a registration request without a JWS proof`),
    };
  }
  return {
    ok: true,
    chromium: { browser, tls: { key: tls.key, cert: tls.cert }, hosts: ['localhost', '127.0.0.1'], args, version, close: () => browser.close() },
  };
}
