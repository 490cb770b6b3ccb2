import { headers } from 'next/headers';
import { getSession } from 'tessera-session/next';
import { sessions } from '../../lib/session';
import { logout } from '../actions';

// A Server Component reads the session; the proxy, which ran before it, has refreshed it.
export default async function AccountPage() {
  const session = await getSession(sessions, await headers());
  return (
    <main>
      <p id="user">{session.get('userId') ?? 'anonymous'}</p>
      <form action={logout}>
        <button id="logout" type="submit">Log out</button>
      </form>
    </main>
  );
}
