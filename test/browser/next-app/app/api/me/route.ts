import { withSession } from 'tessera-session/fetch';
import { sessions } from '../../../lib/session';

export const GET = withSession(sessions, (_request, session) => Response.json({ userId: session.get('userId') ?? null }));
