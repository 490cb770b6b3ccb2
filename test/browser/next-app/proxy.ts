import { NextResponse } from 'next/server';
import type { NextRequest } from 'next/server';
import { loadSession, sessionErrorResponse } from 'tessera-session/fetch';
import { sessions } from './lib/session';

export const config = { matcher: ['/account/:path*'] };

// Next.js 16's proxy (the former middleware), on the Node.js runtime: anonymous visitors go to
// /login; a logged-in one's session is committed, so its idle deadline is refreshed.
export async function proxy(request: NextRequest): Promise<Response> {
  let loaded;
  try {
    loaded = await loadSession(sessions, request);
  } catch (error) {
    return sessionErrorResponse(error, request);
  }
  if (loaded.session.get('userId') === undefined) return NextResponse.redirect(new URL('/login', request.url));
  return loaded.commit(NextResponse.next());
}
