// The demo's answers to what a visitor should not do, over HTTP with a real cookie jar: a form
// over the body limit (413 with a page), a refused CSRF check (the page keeps the visitor's
// navigation), a refused registration (the form keeps what was typed, never the password), and
// failed-login limits per account and per IP (429 with Retry-After, on the app's FakeClock).
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import { Browser } from '../../test/support/http.js';
import type { BrowserResponse } from '../../test/support/http.js';
import { FakeClock } from '../../src/testing/index.js';
import { LoginThrottle } from './login-throttle.js';
import { startTestApp } from './test-server.js';
import type { TestApp } from './test-server.js';

const tokenIn = (html: string): string => {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the page has a CSRF field');
  return token;
};

/** A visitor who submits forms the way a browser does: the page first, then the form with its token. */
class Visitor extends Browser {
  async submit(page: string, action: string, fields: Record<string, string> = {}): Promise<BrowserResponse> {
    const token = tokenIn((await this.get(page)).body);
    return this.post(action, { body: new URLSearchParams({ _csrf: token, ...fields }) });
  }

  register(username: string, password: string, displayName = username): Promise<BrowserResponse> {
    return this.submit('/register', '/register', { username, password, displayName });
  }

  login(username: string, password: string): Promise<BrowserResponse> {
    return this.submit('/login', '/login', { username, password });
  }
}

const LOGGED_IN_NAV = /<a href="\/profile"[^>]*>Profile<\/a>.*<button id="logout">Log out<\/button>/s;
const LOGGED_OUT_NAV = /<a href="\/login"[^>]*>Log in<\/a> <a href="\/register"[^>]*>Register<\/a>/;

describe('auth-app: oversized forms, CSRF pages, refused registrations', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('a 10,000-character username answers 413 with a readable page, and logs no stack', async () => {
    const errors = mock.method(console, 'error', () => {});
    try {
      const visitor = new Visitor(app.url);
      for (const action of ['/login', '/register']) {
        const res = await visitor.submit(action, action, { username: 'a'.repeat(10_000), password: 'whatever-password' });
        assert.equal(res.status, 413, action);
        assert.match(res.headers.get('content-type')!, /^text\/html/);
        assert.match(res.body, /<h1>That form was too large<\/h1>/);
        assert.match(res.body, LOGGED_OUT_NAV);
      }
      assert.equal(errors.mock.callCount(), 0, 'a client error is not logged as a failure');
    } finally {
      errors.mock.restore();
    }
  });

  it('the 413 page of a logged-in user shows the logged-in navigation', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('bigform', 'bigform-password');
    await visitor.login('bigform', 'bigform-password');
    const res = await visitor.submit('/', '/cart/add', { product: 'x'.repeat(10_000) });
    assert.equal(res.status, 413);
    assert.match(res.body, LOGGED_IN_NAV);
    assert.doesNotMatch(res.body, LOGGED_OUT_NAV);
  });

  it('the CSRF error page shows the navigation of the visitor: logged in or not', async () => {
    const anonymous = new Visitor(app.url);
    await anonymous.get('/');
    const refusedAnonymous = await anonymous.post('/cart/add', { body: new URLSearchParams({ product: 'tea' }) });
    assert.equal(refusedAnonymous.status, 403);
    assert.match(refusedAnonymous.body, /This form has expired/);
    assert.match(refusedAnonymous.body, LOGGED_OUT_NAV);

    const member = new Visitor(app.url);
    await member.register('csrfnav', 'csrfnav-password', 'Nav Tester');
    await member.login('csrfnav', 'csrfnav-password');
    const refused = await member.post('/logout', { body: new URLSearchParams({ _csrf: 'forged' }) });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /This form has expired/);
    assert.match(refused.body, LOGGED_IN_NAV);
    assert.doesNotMatch(refused.body, LOGGED_OUT_NAV);
    assert.equal((await member.get('/profile')).status, 200, 'still logged in');
  });

  it('a refused registration keeps the username and display name typed, never the password', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('Taken.Name', 'first-password', 'First');
    const taken = await visitor.register('Taken.Name', 'secret-password-1', 'Second <person>');
    assert.equal(taken.headers.get('location'), '/register');
    const form = (await visitor.get('/register')).body;
    assert.match(form, /That username is taken\./);
    assert.match(form, /id="username" name="username" value="Taken\.Name"/);
    assert.match(form, /id="displayName" name="displayName" value="Second &lt;person&gt;"/);
    assert.doesNotMatch(form, /secret-password-1/);

    await visitor.register('ok_name', 'short', 'Shorty');
    const short = (await visitor.get('/register')).body;
    assert.match(short, /Passwords have 8 to 200 characters\./);
    assert.match(short, /name="username" value="ok_name"/);
    assert.doesNotMatch(short, /value="short"/);

    const again = (await visitor.get('/register')).body;
    assert.match(again, /name="username" value=""/, 'the typed values are shown once');
  });
});

describe('auth-app: failed-login limits', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('5 failures for one account: the 6th attempt is refused with 429 and Retry-After, even with the right password', async () => {
    const owner = new Visitor(app.url);
    await owner.register('target', 'the-right-password');
    const attacker = new Visitor(app.url);
    for (let i = 0; i < 5; i++) assert.equal((await attacker.login('target', `guess-${i}`)).status, 303, `failure ${i + 1}`);
    const refused = await attacker.login('target', `guess-5`);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '900');
    assert.match(refused.body, /<h1>Too many failed logins<\/h1>/);
    assert.match(refused.body, /for this account\. .*try again in 15 minutes\./);

    const owned = await owner.login('target', 'the-right-password');
    assert.equal(owned.status, 429, 'the account is paused for everyone, so a right guess gains nothing');
    assert.equal((await owner.login('TARGET', 'the-right-password')).status, 429, 'the account name is compared as the login compares it');

    app.clock.advance(600);
    assert.equal((await owner.login('target', 'the-right-password')).headers.get('retry-after'), '300', 'the window slides on the clock');
    app.clock.advance(300);
    const back = await owner.login('target', 'the-right-password');
    assert.equal(back.status, 303);
    assert.equal(back.headers.get('location'), '/profile');
  });

  it('a successful login clears the account\'s failures', async () => {
    const visitor = new Visitor(app.url);
    await visitor.register('forgetful', 'forgetful-password');
    for (let i = 0; i < 4; i++) await visitor.login('forgetful', `wrong-${i}`);
    assert.equal((await visitor.login('forgetful', 'forgetful-password')).headers.get('location'), '/profile');
    await visitor.submit('/profile', '/logout');
    for (let i = 0; i < 5; i++) assert.equal((await visitor.login('forgetful', `wrong-again-${i}`)).status, 303);
    assert.equal((await visitor.login('forgetful', 'forgetful-password')).status, 429);
  });

  it('20 failures from one IP across accounts: the next attempt from it is refused, for any account', async () => {
    app.clock.advance(900); // the failures of the tests above have left the window
    const visitor = new Visitor(app.url);
    await visitor.register('innocent', 'innocent-password');
    for (let i = 0; i < 20; i++) {
      const res = await visitor.login(`account-${i % 5}`, `spray-${i}`);
      assert.equal(res.status, 303, `failure ${i + 1}`);
    }
    const refused = await visitor.login('innocent', 'innocent-password');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '900');
    assert.match(refused.body, /from your network\./);
    app.clock.advance(900);
    assert.equal((await visitor.login('innocent', 'innocent-password')).headers.get('location'), '/profile');
  });
});

describe('auth-app: LoginThrottle', () => {
  it('tracks at most maxKeys accounts and IPs, dropping the least recently failed', () => {
    const clock = new FakeClock(0);
    const throttle = new LoginThrottle(clock, { perAccount: 1, perIp: 100, window: 60, maxKeys: 2 });
    throttle.failed('a', 'ip');
    throttle.failed('b', 'ip');
    assert.equal(throttle.check('a', 'ip')?.reason, 'account');
    throttle.failed('c', 'ip');
    assert.equal(throttle.check('a', 'ip'), undefined, 'a was dropped for c');
    assert.deepEqual(throttle.check('c', 'ip'), { reason: 'account', retryAfter: 60 });
    clock.advance(59.5);
    assert.deepEqual(throttle.check('c', 'ip'), { reason: 'account', retryAfter: 1 });
    clock.advance(0.5);
    assert.equal(throttle.check('c', 'ip'), undefined);
  });
});
