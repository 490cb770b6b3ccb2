import { html } from './html.js';
import type { SafeHtml } from './html.js';

export function errorView(title: string, text: string): SafeHtml {
  return html`<div class="card"><h1>${title}</h1><p>${text}</p><p><a href="/">Back to the start page</a></p></div>`;
}

/** The page for a request refused with a 4xx status (a form too large, a body that cannot be read, ...). */
export function clientErrorView(status: number): { title: string; body: SafeHtml } {
  if (status === 413) {
    return { title: 'Form too large', body: errorView('That form was too large', 'What you sent is longer than this site accepts. Go back, shorten what you typed and try again.') };
  }
  if (status === 400) {
    return { title: 'Bad request', body: errorView('That form could not be read', 'Go back, reload the page and try again.') };
  }
  return { title: 'Request refused', body: errorView('Request refused', 'This site could not accept that request. Go back and try again.') };
}

/** The page for a login refused by the throttle. */
export function tooManyLoginsView(reason: 'account' | 'ip', retryAfter: number): SafeHtml {
  const wait = retryAfter < 60 ? `${retryAfter} seconds` : `${Math.ceil(retryAfter / 60)} minutes`;
  const whose = reason === 'account' ? 'for this account' : 'from your network';
  return html`<div class="card" id="too-many"><h1>Too many failed logins</h1>
<p>There were too many failed logins ${whose}. To protect the account, logging in is paused: try again in ${wait}.</p>
<p><a href="/login">Back to the login page</a></p></div>`;
}
