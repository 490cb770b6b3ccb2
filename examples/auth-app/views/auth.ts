// The login and registration forms.
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import type { PageContext } from './layout.js';
import type { RegisterDraft } from '../session-data.js';

export function loginView(ctx: PageContext, username: string): SafeHtml {
  return html`<div class="card">
  <h1>Log in</h1>
  <form method="post" action="/login" id="login-form">
    ${ctx.csrfField}
    <label for="username">Username</label>
    <input type="text" id="username" name="username" value="${username}" autocomplete="username" required maxlength="32">
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="200">
    <label class="check"><input type="checkbox" name="remember" value="on" id="remember"> Remember me on this device</label>
    <div class="actions"><button class="primary" type="submit">Log in</button>
    <span class="muted">No account? <a href="/register">Register</a></span></div>
  </form>
</div>`;
}

/** The registration form, filled with `draft` (what a refused form held; never the password). */
export function registerView(ctx: PageContext, draft: RegisterDraft = { username: '', displayName: '' }): SafeHtml {
  return html`<div class="card">
  <h1>Create an account</h1>
  <form method="post" action="/register" id="register-form">
    ${ctx.csrfField}
    <label for="username">Username</label>
    <input type="text" id="username" name="username" value="${draft.username}" autocomplete="username" required minlength="3" maxlength="32" pattern="[A-Za-z0-9_.\\-]{3,32}">
    <p class="muted">3 to 32 letters, digits, '.', '_' or '-'.</p>
    <label for="displayName">Display name</label>
    <input type="text" id="displayName" name="displayName" value="${draft.displayName}" maxlength="60">
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="new-password" required minlength="8" maxlength="200">
    <p class="muted">At least 8 characters.</p>
    <div class="actions"><button class="primary" type="submit">Register</button>
    <span class="muted">Already registered? <a href="/login">Log in</a></span></div>
  </form>
</div>`;
}
