// "Your devices": the user's sessions, with browser and last activity, and revoke buttons.
import type { SessionInfo } from '../../../src/index.js';
import { describeUserAgent } from '../user-agent.js';
import { absoluteTime, relativeTime } from './format.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import type { PageContext } from './layout.js';

function row(ctx: PageContext, device: SessionInfo, now: number): SafeHtml {
  const action = device.current
    ? html`<span class="badge">This device</span>`
    : html`<form method="post" action="/devices/revoke">${ctx.csrfField}<input type="hidden" name="handle" value="${device.handle}"><button class="danger">Log out</button></form>`;
  return html`<tr class="device${device.current ? ' current' : ''}">
    <td><strong>${describeUserAgent(device.userAgent)}</strong>${device.bound === true ? html` <span class="badge">Bound to its device</span>` : ''}<br><span class="muted">${device.ip ?? 'IP not recorded'}</span></td>
    <td>${device.current ? 'now' : relativeTime(device.lastSeenAt, now)}<br><span class="muted">${absoluteTime(device.current ? now : device.lastSeenAt)}</span></td>
    <td>${relativeTime(device.createdAt, now)}</td>
    <td>${action}</td>
  </tr>`;
}

/** Whether this browser proved, with a key that cannot leave the device, that it is the one that logged in (DBSC). */
function binding(bound: boolean): SafeHtml {
  return bound
    ? html`<p id="binding" class="bound"><strong>This device is bound.</strong> Your session is tied to a key that never leaves this device: a copy of its cookies stops working within minutes.</p>`
    : html`<p id="binding" class="muted">This device is not bound: your browser does not support Device Bound Session Credentials (Chrome on Windows and macOS does), so a copy of its cookies works until you log out.</p>`;
}

export function devicesView(ctx: PageContext, devices: SessionInfo[], now: number, bound = false): SafeHtml {
  const others = devices.filter((d) => !d.current).length;
  return html`<div class="card">
  <h1>Your devices</h1>
  <p class="muted">Where you are logged in now. Log out a device you do not recognise.</p>
  ${binding(bound)}
  <table id="devices">
    <thead><tr><th>Browser</th><th>Last activity</th><th>Logged in</th><th></th></tr></thead>
    <tbody>${devices.map((d) => row(ctx, d, now))}</tbody>
  </table>
  ${others > 0
    ? html`<form method="post" action="/devices/revoke-others" class="actions">${ctx.csrfField}<button class="danger" id="revoke-others">Log out all other devices (${others})</button></form>`
    : html`<p class="muted" id="no-others">No other device is logged in.</p>`}
</div>`;
}
