import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { currentUser, requireUser } from '../middleware.js';
import { sessionOf } from '../session-data.js';
import { profileView } from '../views/profile.js';
import { pageContext, sendPage } from './render.js';

export function profileRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/profile', requireUser, (req, res) => {
    const session = sessionOf(req);
    const ctx = pageContext(req, res, deps, 'Profile');
    sendPage(res, ctx, profileView(currentUser(res)!, session, session.get('visited') ?? [], deps.clock.now()));
  });
  return router;
}
