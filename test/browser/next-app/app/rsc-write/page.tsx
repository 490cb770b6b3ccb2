import { cookies, headers } from 'next/headers';
import { getSession, saveSession } from 'tessera-session/next';
import { sessions } from '../../lib/session';

// The mistake the entry must refuse: saving while rendering, where Next.js sets no cookie.
export default async function RscWritePage() {
  const session = await getSession(sessions, await headers());
  session.set('visits', (session.get('visits') ?? 0) + 1);
  await saveSession(sessions, session, await cookies());
  return <p>saved</p>;
}
