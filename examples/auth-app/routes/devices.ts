// "Your devices": list this user's sessions, log out one, or all the others.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { currentUser, requireUser } from '../middleware.js';
import { flash, sessionOf } from '../session-data.js';
import { devicesView } from '../views/devices.js';
import { pageContext, sendPage } from './render.js';

export function deviceRoutes(deps: AppDeps): Router {
  const router = Router();
  const { manager } = deps;

  router.get('/devices', requireUser, async (req, res) => {
    const devices = await manager.listSessions(currentUser(res)!.id, sessionOf(req));
    const ctx = pageContext(req, res, deps, 'Your devices');
    sendPage(res, ctx, devicesView(ctx, devices, deps.clock.now(), sessionOf(req).bound));
  });

  router.post('/devices/revoke', requireUser, async (req, res) => {
    const handle: unknown = (req.body as Record<string, unknown> | undefined)?.handle;
    const ended = typeof handle === 'string' && handle.length <= 64 && (await manager.revokeSession(currentUser(res)!.id, handle));
    flash(sessionOf(req), ended ? 'success' : 'error', ended ? 'That device is logged out.' : 'That device was already logged out.');
    res.redirect(303, '/devices');
  });

  router.post('/devices/revoke-others', requireUser, async (req, res) => {
    const session = sessionOf(req);
    const count = await manager.revokeSessions(currentUser(res)!.id, { except: session });
    flash(session, 'success', `Logged out ${count} other device${count === 1 ? '' : 's'}.`);
    res.redirect(303, '/devices');
  });

  return router;
}
