// A DBSC user agent for fast server tests over real HTTP: the cookie-jar `Browser` of
// test/support/http.ts plus what Chromium 156 was seen doing (docs/dbsc-browser-notes.md): take a
// `Secure-Session-Registration` offer up with a fresh key, and before an in-scope request whose
// bound cookie is missing, refresh (no proof first; on 403 + challenge, retry with a refresh proof).
import { inScope } from '../../src/dbsc/scope.js';
import type { Browser, BrowserResponse } from './http.js';
import { generateDbscKey, readChallenges, readRegistration, refreshProof, registrationProof } from './dbsc-client.js';
import type { DbscAlgorithm, DbscKey, RegistrationOffer } from './dbsc-client.js';

export interface SessionInstructions {
  session_identifier: string;
  refresh_url?: string;
  scope?: { origin?: string; include_site?: boolean; scope_specification?: Array<{ type: string; domain?: string; path?: string }> };
  credentials: Array<{ type: string; name: string; attributes?: string }>;
  continue?: boolean;
}

export interface AgentSession {
  key: DbscKey;
  instructions: SessionInstructions;
  /** A challenge handed out ahead of time (`Secure-Session-Challenge` on any response). */
  cachedChallenge?: string;
}

export interface AgentEvent {
  type: 'registered' | 'registration-failed' | 'refreshed' | 'refresh-failed' | 'ended';
  status?: number;
  sessionId?: string;
}

export class DbscAgent {
  readonly sessions = new Map<string, AgentSession>();
  readonly events: AgentEvent[] = [];

  constructor(
    readonly browser: Browser,
    readonly alg: DbscAlgorithm = 'ES256',
  ) {}

  /** Sends a request as a DBSC browser would: refresh first if needed, then take up offers and challenges. */
  async request(path: string, init: RequestInit = {}): Promise<BrowserResponse> {
    const url = new URL(path, this.browser.baseUrl);
    for (const [id, session] of this.sessions) {
      if (this.inScope(session, url) && (await this.missingCookie(session, url))) await this.refresh(id);
    }
    const response = await this.browser.request(path, init);
    await this.afterResponse(url, response);
    return response;
  }

  /** Keeps a challenge handed out ahead of time for its session (Chromium uses it for the next refresh, as seen against tessera). */
  private keepChallenges(response: BrowserResponse): void {
    for (const c of readChallenges(response.headers)) {
      const session = c.sessionId === undefined ? undefined : this.sessions.get(c.sessionId);
      if (session) session.cachedChallenge = c.challenge;
    }
  }

  private async afterResponse(url: URL, response: BrowserResponse): Promise<void> {
    this.keepChallenges(response);
    for (const offer of readRegistration(response.headers, url.href)) await this.register(offer);
  }

  private inScope(session: AgentSession, url: URL): boolean {
    const scope = session.instructions.scope;
    const origin = scope?.origin ?? new URL(session.instructions.refresh_url ?? this.browser.baseUrl, this.browser.baseUrl).origin;
    if (url.origin !== new URL(origin).origin) return false;
    // Past the origin, the rules as the server reads them (scope.ts follows the spec; the real
    // Chromium of test/browser checks both).
    const rules = (scope?.scope_specification ?? []).map((r) => ({ ...r, type: r.type === 'exclude' ? ('exclude' as const) : ('include' as const) }));
    return inScope(url, rules, new URL(session.instructions.refresh_url ?? '/', this.browser.baseUrl).pathname);
  }

  private async missingCookie(session: AgentSession, url: URL): Promise<boolean> {
    const cookies = await this.browser.jar.getCookies(url.href);
    return session.instructions.credentials.some((c) => c.type === 'cookie' && !cookies.some((k) => k.key === c.name));
  }

  private async register(offer: RegistrationOffer): Promise<void> {
    if (!offer.algorithms.includes(this.alg)) return;
    const key = await generateDbscKey(this.alg);
    const headers: Record<string, string> = { 'secure-session-response': await registrationProof(key, offer.challenge ?? '', offer.authorization) };
    if (offer.authorization !== undefined) headers.authorization = offer.authorization;
    const response = await this.browser.request(offer.endpoint, { method: 'POST', headers });
    const instructions = this.instructions(response);
    if (response.status !== 200 || !instructions) {
      this.events.push({ type: 'registration-failed', status: response.status });
      return;
    }
    this.sessions.set(instructions.session_identifier, { key, instructions });
    this.events.push({ type: 'registered', status: 200, sessionId: instructions.session_identifier });
    this.keepChallenges(response);
  }

  /** One refresh of session `id`, as Chromium does it; returns the final status. */
  async refresh(id: string): Promise<number> {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`no DBSC session ${id}`);
    const url = new URL(session.instructions.refresh_url ?? '/', this.browser.baseUrl).href;
    const send = async (challenge?: string) => {
      const headers: Record<string, string> = { 'sec-secure-session-id': id };
      if (challenge !== undefined) headers['secure-session-response'] = await refreshProof(session.key, challenge);
      return this.browser.request(url, { method: 'POST', headers });
    };
    let response = await send(session.cachedChallenge);
    session.cachedChallenge = undefined;
    const challenge = readChallenges(response.headers).find((c) => c.sessionId === undefined || c.sessionId === id);
    if (response.status === 403 && challenge) response = await send(challenge.challenge);
    const instructions = this.instructions(response);
    if (response.status === 200 && instructions?.continue === false) {
      this.sessions.delete(id);
      this.events.push({ type: 'ended', status: 200, sessionId: id });
    } else if (response.status === 200) {
      if (instructions) session.instructions = instructions;
      this.events.push({ type: 'refreshed', status: 200, sessionId: id });
      this.keepChallenges(response);
    } else {
      this.events.push({ type: 'refresh-failed', status: response.status, sessionId: id });
    }
    return response.status;
  }

  private instructions(response: BrowserResponse): SessionInstructions | undefined {
    try {
      const parsed = JSON.parse(response.body) as SessionInstructions;
      if (parsed.continue === false) return parsed;
      return typeof parsed.session_identifier === 'string' && Array.isArray(parsed.credentials) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
}
