// Renders a page inside the layout with what every page needs: user, flash, CSRF field, cart size.
import type { Request, Response } from 'express';
import { currentUser } from '../middleware.js';
import { sessionOf } from '../session-data.js';
import type { AppDeps } from '../deps.js';
import { trusted } from '../views/html.js';
import type { SafeHtml } from '../views/html.js';
import { layout } from '../views/layout.js';
import type { PageContext } from '../views/layout.js';

export function pageContext(req: Request, res: Response, deps: AppDeps, title: string): PageContext {
  const session = sessionOf(req);
  const cart = session.get('cart') ?? {};
  return {
    title,
    path: req.path,
    user: currentUser(res),
    flash: session.take('flash'),
    csrfField: trusted(deps.csrf.hiddenField(session)),
    cartCount: Object.values(cart).reduce((sum, n) => sum + n, 0),
  };
}

export function sendPage(res: Response, ctx: PageContext, body: SafeHtml, status = 200): void {
  res.status(status).type('html').send(layout(ctx, body));
}
