// Request middleware: no caching of pages, the current user, private pages, the visit log.
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../../src/index.js';
import { flash, sessionOf } from './session-data.js';
import type { User, UserRepository } from './users/types.js';

const MAX_VISITS = 10;
const PAGES = new Set(['/', '/login', '/register', '/profile', '/devices']);

/** Every page is rendered for one visitor: never cache it, nor show it again from history. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

export function currentUser(res: Response): User | undefined {
  return res.locals.user as User | undefined;
}

/** Puts the logged-in user in `res.locals.user`; a session naming a deleted user is logged out. */
export function loadUser(users: UserRepository) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const session = sessionOf(req);
    const userId = session.get('userId');
    if (userId !== undefined) {
      const user = await users.findById(userId);
      if (user === undefined) session.destroy();
      else res.locals.user = user;
    }
    next();
  };
}

/** Private pages: anonymous visitors go to the login page. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (currentUser(res) !== undefined) {
    next();
    return;
  }
  flash(sessionOf(req), 'error', 'Please log in to see that page.');
  res.redirect(303, '/login');
}

/** Remembers the pages of the site seen in this session, the newest last. */
export function recordVisit(clock: Clock) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method === 'GET' && PAGES.has(req.path)) {
      const visit = { path: req.path, at: clock.now() };
      sessionOf(req).update('visited', (list = []) => [...list, visit].slice(-MAX_VISITS));
    }
    next();
  };
}
