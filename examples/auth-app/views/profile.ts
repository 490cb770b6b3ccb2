// The profile page: the user's data, this session, and the pages visited in it.
import type { AppSession, Visit } from '../session-data.js';
import type { User } from '../users/types.js';
import { absoluteTime, relativeTime } from './format.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';

export function profileView(user: User, session: AppSession, visits: Visit[], now: number): SafeHtml {
  return html`<div class="card">
  <h1>Hello, <span id="display-name">${user.displayName}</span></h1>
  <dl>
    <dt>Username</dt><dd id="username">${user.username}</dd>
    <dt>Member since</dt><dd>${absoluteTime(user.createdAt)}</dd>
    <dt>User ID</dt><dd class="muted">${user.id}</dd>
  </dl>
</div>
<div class="card">
  <h2>This session</h2>
  <dl>
    <dt>Started</dt><dd>${relativeTime(session.createdAt, now)} (${absoluteTime(session.createdAt)})</dd>
    <dt>Expires</dt><dd>${absoluteTime(session.expiresAt)} <span class="muted">(each visit moves this later, up to the session's maximum lifetime)</span></dd>
    <dt>Remember me</dt><dd id="remembered">${session.persistent ? 'yes: the cookie survives a browser restart' : 'no: the cookie ends with the browser'}</dd>
  </dl>
</div>
<div class="card">
  <h2>Pages you visited in this session</h2>
  <ol class="visits" id="visits">${visits.map((v) => html`<li><code>${v.path}</code> <span class="muted">${relativeTime(v.at, now)}</span></li>`)}</ol>
</div>`;
}
