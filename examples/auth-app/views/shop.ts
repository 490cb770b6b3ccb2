// The shop: products and the cart, which lives in the session (logged in or not).
import { PRODUCTS } from '../products.js';
import { price } from './format.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import type { PageContext } from './layout.js';

export function shopView(ctx: PageContext, cart: Record<string, number>): SafeHtml {
  const lines = PRODUCTS.filter((p) => (cart[p.id] ?? 0) > 0);
  const total = lines.reduce((sum, p) => sum + p.cents * (cart[p.id] ?? 0), 0);
  return html`<div class="card">
  <h1>Shop</h1>
  <p class="muted">Your cart is kept in your session: it survives page loads and logging in, and ends at logout.</p>
  <div class="products">${PRODUCTS.map((p) => html`<div class="product">
    <strong>${p.name}</strong><br><span class="muted">${price(p.cents)}</span>
    <form method="post" action="/cart/add">${ctx.csrfField}<input type="hidden" name="product" value="${p.id}"><button class="plain" id="add-${p.id}">Add to cart</button></form>
  </div>`)}</div>
</div>
<div class="card">
  <h2>Cart</h2>
  ${lines.length === 0
    ? html`<p class="muted" id="cart-empty">Your cart is empty.</p>`
    : html`<table id="cart"><tbody>${lines.map((p) => html`<tr><td>${p.name}</td><td>× ${cart[p.id]}</td><td>${price(p.cents * (cart[p.id] ?? 0))}</td>
        <td><form method="post" action="/cart/remove">${ctx.csrfField}<input type="hidden" name="product" value="${p.id}"><button class="plain">Remove one</button></form></td></tr>`)}
        <tr><td><strong>Total</strong></td><td></td><td><strong>${price(total)}</strong></td><td></td></tr></tbody></table>
      <form method="post" action="/cart/clear" class="actions">${ctx.csrfField}<button class="danger">Empty the cart</button></form>`}
</div>`;
}
