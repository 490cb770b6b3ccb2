import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceKey, parseChallenge, parseRegistration, quoted, refreshProof, registrationProof } from '../../test/support/dbsc-proof.js';
import { Browser } from '../../test/support/http.js';
import type { BrowserResponse } from '../../test/support/http.js';
import { startTestApp } from './test-server.js';
import type { TestApp } from './test-server.js';

const COOKIE = '__Host-sid';
const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

const tokenIn = (html: string): string => {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the page has a CSRF field');
  return token;
};

/** A visitor with a cookie jar and a browser's User-Agent, who submits forms the way a browser does. */
class Visitor extends Browser {
  constructor(baseUrl: string, readonly userAgent = CHROME_UA) {
    super(baseUrl);
  }

  override request(path: string, init: RequestInit & { cookie?: string } = {}): Promise<BrowserResponse> {
    const headers = new Headers(init.headers);
    headers.set('user-agent', this.userAgent);
    return super.request(path, { ...init, headers });
  }

  /** GETs `page`, then posts `fields` to `action` with that page's CSRF token. */
  async submit(page: string, action: string, fields: Record<string, string> = {}): Promise<BrowserResponse> {
    const token = tokenIn((await this.get(page)).body);
    return this.post(action, { body: new URLSearchParams({ _csrf: token, ...fields }) });
  }

  async register(username: string, password: string, displayName = username): Promise<BrowserResponse> {
    return this.submit('/register', '/register', { username, password, displayName });
  }

  async login(username: string, password: string, remember = false): Promise<BrowserResponse> {
    return this.submit('/login', '/login', { username, password, ...(remember ? { remember: 'on' } : {}) });
  }
}

describe('auth-app over HTTP', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('registers, logs in with a new session ID, and shows the profile with the visited pages', async () => {
    const ada = new Visitor(app.url);
    const registered = await ada.register('ada', 'correct horse battery', 'Ada Lovelace');
    assert.equal(registered.status, 303);
    assert.equal(registered.headers.get('location'), '/login?username=ada');
    const stored = await app.users.findByUsername('ada');
    assert.match(stored!.passwordHash, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{86}$/, 'scrypt hash, never the password');

    const before = await ada.cookie(COOKIE);
    const login = await ada.login('ada', 'correct horse battery');
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/profile');
    assert.notEqual(await ada.cookie(COOKIE), before, 'regenerate() at login');
    const cookie = login.setCookie.find((c) => c.startsWith(`${COOKIE}=`))!;
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.doesNotMatch(cookie, /Domain=|Max-Age=/i, 'host-only, browser-session cookie without remember me');

    const profile = await ada.get('/profile');
    assert.equal(profile.status, 200);
    assert.equal(profile.headers.get('cache-control'), 'no-store');
    assert.match(profile.body, /<span id="display-name">Ada Lovelace<\/span>/);
    assert.match(profile.body, /Welcome back, Ada Lovelace\./);
    assert.match(profile.body, /<code>\/register<\/code>.*<code>\/login<\/code>.*<code>\/profile<\/code>/s, 'pages visited in this session, kept across login');
    assert.doesNotMatch((await ada.get('/profile')).body, /Welcome back/, 'a flash message is read once');
  });

  it('refuses a wrong password and an unknown user with the same message', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('grace', 'a long enough password');
    for (const [name, password] of [['grace', 'wrong password!'], ['nobody', 'whatever123']] as const) {
      const response = await visitor.login(name, password);
      assert.equal(response.headers.get('location'), `/login?username=${name}`);
      assert.match((await visitor.get('/login')).body, /Wrong username or password\./);
    }
    assert.equal((await visitor.get('/profile')).headers.get('location'), '/login');
  });

  it('refuses a taken username and a short password', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('linus', 'password-one');
    await visitor.register('linus', 'password-two');
    assert.match((await visitor.get('/register')).body, /That username is taken\./);
    await visitor.register('margaret', 'short');
    assert.match((await visitor.get('/register')).body, /Passwords have 8 to 200 characters\./);
    assert.equal(await app.users.findByUsername('margaret'), undefined);
  });

  it('escapes what users type', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('mallory', 'password-123', '<script>alert("x")</script>');
    await visitor.login('mallory', 'password-123');
    const page = (await visitor.get('/profile')).body;
    assert.doesNotMatch(page, /<script>alert/);
    assert.match(page, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    const login = (await visitor.get('/login?username=%22%3E%3Cimg%20src%3Dx%3E')).body;
    assert.match(login, /value="&quot;&gt;&lt;img src=x&gt;"/);
  });

  it('CSRF: a form without a token, with another visitor\'s token, or with a pre-login token gets 403', async () => {
    const victim = new Visitor(app.url);
    await victim.register('victim', 'victim-password');
    const noToken = await victim.post('/login', { body: new URLSearchParams({ username: 'victim', password: 'victim-password' }) });
    assert.equal(noToken.status, 403);
    assert.match(noToken.body, /This form has expired/);

    const attacker = new Visitor(app.url);
    const attackerToken = tokenIn((await attacker.get('/login')).body);
    await victim.get('/login');
    const foreign = await victim.post('/login', { body: new URLSearchParams({ _csrf: attackerToken, username: 'victim', password: 'victim-password' }) });
    assert.equal(foreign.status, 403);

    const preLogin = tokenIn((await victim.get('/')).body);
    await victim.login('victim', 'victim-password');
    const stale = await victim.post('/logout', { body: new URLSearchParams({ _csrf: preLogin }) });
    assert.equal(stale.status, 403, 'the CSRF secret is renewed at login');
    assert.equal((await victim.get('/profile')).status, 200, 'still logged in');
  });

  it('keeps the cart in the session across login, and drops it at logout', async () => {
    const shopper = new Visitor(app.url);
    await shopper.register('shopper', 'shopper-password');
    await shopper.submit('/', '/cart/add', { product: 'tea' });
    await shopper.submit('/', '/cart/add', { product: 'tea' });
    await shopper.submit('/', '/cart/add', { product: 'not-a-product' });
    await shopper.login('shopper', 'shopper-password');
    const shop = (await shopper.get('/')).body;
    assert.match(shop, /Green tea<\/td><td>× 2/);
    assert.doesNotMatch(shop, /not-a-product/);
    await shopper.submit('/', '/logout');
    assert.match((await shopper.get('/')).body, /Your cart is empty\./);
  });

  it('remember me sets a persistent cookie', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('remy', 'remember-me-please');
    const login = await visitor.login('remy', 'remember-me-please', true);
    assert.match(login.setCookie.find((c) => c.startsWith(`${COOKIE}=`))!, /; Max-Age=\d+; Expires=/);
    assert.match((await visitor.get('/profile')).body, /id="remembered">yes/);
  });

  it('lists this user\'s devices with their browsers, revokes one, then all the others', async () => {
    const laptop = new Visitor(app.url, CHROME_UA);
    const phone = new Visitor(app.url, FIREFOX_UA);
    const tablet = new Visitor(app.url, FIREFOX_UA);
    const other = new Visitor(app.url);
    await laptop.register('devi', 'devices-password');
    await other.register('someone', 'someone-password');
    for (const v of [laptop, phone, tablet]) await v.login('devi', 'devices-password');
    await other.login('someone', 'someone-password');

    const page = (await laptop.get('/devices')).body;
    assert.equal(page.match(/<tr class="device/g)?.length, 3, "only this user's three sessions");
    assert.match(page, /<tr class="device current">\s*<td><strong>Chrome 131 on Linux<\/strong>/);
    assert.equal(page.match(/Firefox 133 on Windows/g)?.length, 2);
    assert.match(page, /Log out all other devices \(2\)/);

    const handles = [...page.matchAll(/name="handle" value="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(handles.length, 2, 'no revoke button for the current device');
    await laptop.submit('/devices', '/devices/revoke', { handle: handles[0]! });
    const after = (await laptop.get('/devices')).body;
    assert.match(after, /That device is logged out\./);
    assert.equal(after.match(/<tr class="device/g)?.length, 2);
    const loggedOut = [phone, tablet];
    const statuses = await Promise.all(loggedOut.map(async (v) => (await v.get('/profile')).status));
    assert.deepEqual(statuses.sort(), [200, 303], 'the revoked device is logged out on its next request');

    await laptop.submit('/devices', '/devices/revoke-others');
    assert.match((await laptop.get('/devices')).body, /No other device is logged in\./);
    for (const v of loggedOut) assert.equal((await v.get('/profile')).headers.get('location'), '/login');
    assert.equal((await laptop.get('/profile')).status, 200);
    assert.equal((await other.get('/profile')).status, 200, "another user's session is untouched");
  });

  it('a forged handle revokes nothing', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('forger', 'forger-password');
    await visitor.login('forger', 'forger-password');
    await visitor.submit('/devices', '/devices/revoke', { handle: 'x'.repeat(22) });
    assert.match((await visitor.get('/devices')).body, /That device was already logged out\./);
  });

  it('ends the session after the idle timeout', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('idle', 'idle-password');
    await visitor.login('idle', 'idle-password');
    app.clock.advance(599);
    assert.equal((await visitor.get('/profile')).status, 200);
    app.clock.advance(601);
    assert.equal((await visitor.get('/profile')).headers.get('location'), '/login');
  });

  it('DBSC: the login offers a device binding; once the browser registers its key the devices page says "This device is bound", and the bound cookie must be renewed', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('bound', 'bound-password');
    const login = await visitor.login('bound', 'bound-password');
    const offer = parseRegistration(login.headers.get('secure-session-registration'));
    assert.ok(offer, 'the login response offers registration');
    assert.match((await visitor.get('/devices')).body, /This device is not bound/);
    const key = await deviceKey('ES256');
    const registered = await visitor.post(offer.path, { headers: { 'secure-session-response': quoted(await registrationProof(key, offer.challenge)) } });
    assert.equal(registered.status, 200);
    const id = (JSON.parse(registered.body) as { session_identifier: string }).session_identifier;
    const page = (await visitor.get('/devices')).body;
    assert.match(page, /This device is bound\./);
    assert.match(page, /Bound to its device/);
    // A copy of the cookies works while the bound cookie lives (600 s), and no longer: within the
    // idle timeout (600 s here), past the bound cookie, the copy is logged out.
    const thief = new Visitor(app.url);
    for (const cookie of await visitor.jar.getCookies(app.url)) await thief.jar.setCookie(cookie.clone()!, app.url);
    app.clock.advance(300);
    assert.equal((await visitor.get('/profile')).status, 200);
    assert.equal((await thief.get('/profile')).status, 200);
    app.clock.advance(301);
    // The expired bound cookie: a 307 to the same URL that clears it (a DBSC browser refreshes before following it).
    const redirect = await thief.get('/profile');
    assert.equal(redirect.status, 307);
    assert.equal(redirect.headers.get('location'), '/profile');
    assert.equal((await thief.get('/profile')).headers.get('location'), '/login');
    // The device's browser refreshes before its next request (Chrome holds the request meanwhile).
    const challenge = parseChallenge((await visitor.post('/dbsc/refresh', { headers: { 'sec-secure-session-id': quoted(id) } })).headers.get('secure-session-challenge'));
    assert.ok(challenge);
    const refreshed = await visitor.post('/dbsc/refresh', { headers: { 'sec-secure-session-id': quoted(id), 'secure-session-response': quoted(await refreshProof(key, challenge.challenge)) } });
    assert.equal(refreshed.status, 200);
    assert.match((await visitor.get('/devices')).body, /This device is bound\./);
  });
});
