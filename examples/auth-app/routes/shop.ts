// The shop and its cart: data a visitor keeps in the session, logged in or not.
import { Router } from 'express';
import type { Request } from 'express';
import type { AppDeps } from '../deps.js';
import { isProductId } from '../products.js';
import { sessionOf } from '../session-data.js';
import { shopView } from '../views/shop.js';
import { pageContext, sendPage } from './render.js';

const productOf = (req: Request): string | undefined => {
  const value: unknown = (req.body as Record<string, unknown> | undefined)?.product;
  return isProductId(value) ? value : undefined;
};

export function shopRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/', (req, res) => {
    const ctx = pageContext(req, res, deps, 'Shop');
    sendPage(res, ctx, shopView(ctx, sessionOf(req).get('cart') ?? {}));
  });

  router.post('/cart/add', (req, res) => {
    const product = productOf(req);
    // update() is re-run on the fresh cart if another request changed it meanwhile: no lost item.
    if (product !== undefined) sessionOf(req).update('cart', (cart = {}) => ({ ...cart, [product]: Math.min(99, (cart[product] ?? 0) + 1) }));
    res.redirect(303, '/');
  });

  router.post('/cart/remove', (req, res) => {
    const product = productOf(req);
    if (product !== undefined) {
      sessionOf(req).update('cart', (cart = {}) => {
        const next = { ...cart, [product]: (cart[product] ?? 0) - 1 };
        if (next[product]! <= 0) delete next[product];
        return next;
      });
    }
    res.redirect(303, '/');
  });

  router.post('/cart/clear', (req, res) => {
    sessionOf(req).delete('cart');
    res.redirect(303, '/');
  });

  return router;
}
