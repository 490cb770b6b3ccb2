// The page frame: head, inline CSS, navigation, flash message.
import type { Flash } from '../session-data.js';
import type { User } from '../users/types.js';
import { html, trusted } from './html.js';
import type { SafeHtml } from './html.js';

export interface PageContext {
  title: string;
  path: string;
  user: User | undefined;
  flash: Flash | undefined;
  /** A hidden input with a CSRF token, for every form on the page. */
  csrfField: SafeHtml;
  cartCount: number;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f4f5f7}
header{background:#1e293b;color:#fff}
header .bar{max-width:820px;margin:0 auto;padding:12px 20px;display:flex;align-items:center;gap:18px;flex-wrap:wrap}
header .brand{font-weight:700;font-size:18px;color:#fff;text-decoration:none;margin-right:auto}
header a{color:#cbd5e1;text-decoration:none}header a:hover,header a.on{color:#fff}
header form{margin:0}
header button{background:none;border:1px solid #64748b;color:#e2e8f0;padding:4px 12px;border-radius:6px;font:inherit;cursor:pointer}
main{max-width:820px;margin:28px auto;padding:0 20px}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(15,23,42,.12);padding:24px 28px;margin-bottom:20px}
h1{font-size:24px;margin:0 0 16px}h2{font-size:18px;margin:0 0 12px}
.flash{padding:12px 16px;border-radius:8px;margin-bottom:20px}
.flash.success{background:#dcfce7;color:#14532d;border:1px solid #86efac}
.flash.error{background:#fee2e2;color:#7f1d1d;border:1px solid #fca5a5}
label{display:block;font-weight:600;margin:12px 0 4px}
label.check{font-weight:400;display:flex;gap:8px;align-items:center}
input[type=text],input[type=password]{width:100%;max-width:360px;padding:8px 10px;border:1px solid #cbd5e1;border-radius:6px;font:inherit}
button.primary,button.danger,button.plain{padding:7px 16px;border-radius:6px;font:inherit;cursor:pointer;border:1px solid transparent}
button.primary{background:#2563eb;color:#fff}button.primary:hover{background:#1d4ed8}
button.danger{background:#fff;color:#b91c1c;border-color:#fca5a5}button.danger:hover{background:#fef2f2}
button.plain{background:#fff;color:#334155;border-color:#cbd5e1}
.actions{margin-top:18px;display:flex;gap:12px;align-items:center}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:9px 8px;border-bottom:1px solid #e5e7eb;vertical-align:middle}
th{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#64748b}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 20px;margin:0}dt{color:#64748b}dd{margin:0}
.muted{color:#64748b}.badge{background:#dbeafe;color:#1e40af;border-radius:999px;padding:2px 10px;font-size:13px;font-weight:600}
ol.visits{margin:0;padding-left:22px}
.products{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:14px}
.product{border:1px solid #e5e7eb;border-radius:8px;padding:14px}.product form{margin-top:8px}
`;

function nav(ctx: PageContext): SafeHtml {
  const link = (href: string, label: string) => html`<a href="${href}" class="${ctx.path === href ? 'on' : ''}">${label}</a>`;
  const cart = ctx.cartCount > 0 ? ` (${ctx.cartCount})` : '';
  if (ctx.user === undefined) {
    return html`${link('/', `Shop${cart}`)} ${link('/login', 'Log in')} ${link('/register', 'Register')}`;
  }
  return html`${link('/', `Shop${cart}`)} ${link('/profile', 'Profile')} ${link('/devices', 'Your devices')}
    <form method="post" action="/logout">${ctx.csrfField}<button id="logout">Log out</button></form>`;
}

export function layout(ctx: PageContext, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${ctx.title} · tessera demo</title><style>${trusted(CSS)}</style></head>
<body><header><div class="bar"><a class="brand" href="/">tessera demo</a>${nav(ctx)}</div></header>
<main>
${ctx.flash ? html`<div class="flash ${ctx.flash.kind}" role="status" id="flash">${ctx.flash.text}</div>` : ''}
${body}
</main></body></html>`.value;
}

