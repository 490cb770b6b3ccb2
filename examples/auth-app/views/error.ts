import { html } from './html.js';
import type { SafeHtml } from './html.js';

export function errorView(title: string, text: string): SafeHtml {
  return html`<div class="card"><h1>${title}</h1><p>${text}</p><p><a href="/">Back to the start page</a></p></div>`;
}
