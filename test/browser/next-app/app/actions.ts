'use server';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getSession, saveSession } from 'tessera-session/next';
import { sessions } from '../lib/session';

export async function login(form: FormData): Promise<void> {
  const session = await getSession(sessions, await headers(), { recordClient: true });
  session.regenerate();
  session.set('userId', String(form.get('user')));
  await saveSession(sessions, session, await cookies());
  redirect('/account');
}

export async function logout(): Promise<void> {
  const session = await getSession(sessions, await headers());
  session.destroy();
  await saveSession(sessions, session, await cookies());
  redirect('/login');
}
