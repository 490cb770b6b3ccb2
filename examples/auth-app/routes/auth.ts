// Register, log in (scrypt, regenerate, remember me, new CSRF secret, failed-login limits), log out.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../passwords.js';
import { flash, sessionOf } from '../session-data.js';
import { loginView, registerView } from '../views/auth.js';
import { tooManyLoginsView } from '../views/error.js';
import { pageContext, sendPage } from './render.js';

const USERNAME = /^[a-z0-9_.-]{3,32}$/;

const field = (body: unknown, name: string): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};

export function authRoutes(deps: AppDeps): Router {
  const router = Router();
  const { users, csrf, clock, throttle } = deps;

  router.get('/register', (req, res) => {
    const ctx = pageContext(req, res, deps, 'Register');
    sendPage(res, ctx, registerView(ctx, sessionOf(req).take('registerDraft')));
  });

  router.post('/register', async (req, res) => {
    const session = sessionOf(req);
    const username = field(req.body, 'username').trim().toLowerCase();
    const displayName = field(req.body, 'displayName').trim().slice(0, 60) || username;
    const password = field(req.body, 'password');
    const problem = !USERNAME.test(username)
      ? "Usernames have 3 to 32 letters, digits, '.', '_' or '-'."
      : password.length < 8 || password.length > 200 ? 'Passwords have 8 to 200 characters.' : undefined;
    // A refused form comes back with what was typed, except the password.
    const draft = { username: field(req.body, 'username').trim().slice(0, 32), displayName: field(req.body, 'displayName').trim().slice(0, 60) };
    if (problem !== undefined) {
      flash(session, 'error', problem);
      session.set('registerDraft', draft);
      res.redirect(303, '/register');
      return;
    }
    const user = { id: randomUUID(), username, displayName, passwordHash: await hashPassword(password), createdAt: clock.now() };
    if (!(await users.create(user))) {
      flash(session, 'error', 'That username is taken.');
      session.set('registerDraft', draft);
      res.redirect(303, '/register');
      return;
    }
    flash(session, 'success', 'Your account is ready. Log in below.');
    res.redirect(303, `/login?username=${encodeURIComponent(username)}`);
  });

  router.get('/login', (req, res) => {
    const ctx = pageContext(req, res, deps, 'Log in');
    const username = typeof req.query.username === 'string' ? req.query.username.slice(0, 32) : '';
    sendPage(res, ctx, loginView(ctx, username));
  });

  router.post('/login', async (req, res) => {
    const session = sessionOf(req);
    const username = field(req.body, 'username').trim().toLowerCase();
    const password = field(req.body, 'password');
    // Express's req.ip: the socket's address, or the proxy's X-Forwarded-For under `trust proxy`.
    const account = username.slice(0, 64);
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const refusal = throttle.check(account, ip);
    if (refusal !== undefined) {
      // No password is checked while refused, so guessing goes no faster.
      res.setHeader('Retry-After', String(refusal.retryAfter));
      sendPage(res, pageContext(req, res, deps, 'Too many failed logins'), tooManyLoginsView(refusal.reason, refusal.retryAfter), 429);
      return;
    }
    const user = USERNAME.test(username) ? await users.findByUsername(username) : undefined;
    const ok = user === undefined ? (await burnPasswordCheck(password), false) : await verifyPassword(password, user.passwordHash);
    if (user === undefined || !ok) {
      throttle.failed(account, ip);
      flash(session, 'error', 'Wrong username or password.');
      res.redirect(303, `/login?username=${encodeURIComponent(username.slice(0, 32))}`);
      return;
    }
    throttle.succeeded(account);
    session.regenerate(); // a new session ID at login: a planted ID (session fixation) is worthless
    session.set('userId', user.id);
    csrf.renew(session); // and a new CSRF secret: tokens from before the login stop working
    session.setPersistent(field(req.body, 'remember') === 'on');
    flash(session, 'success', `Welcome back, ${user.displayName}.`);
    res.redirect(303, '/profile');
  });

  router.post('/logout', (req, res) => {
    const session = sessionOf(req);
    // The record is deleted, and the browser drops the site's cache and storage (Clear-Site-Data;
    // cookies are kept, since the flash below starts a new, anonymous session).
    session.destroy({ clearSiteData: true });
    flash(session, 'success', 'You are logged out.');
    res.redirect(303, '/login');
  });

  return router;
}
