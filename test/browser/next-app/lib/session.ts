// One manager for the app. Next.js loads the proxy, the route handlers and the pages in separate
// bundles: the memory store is kept on globalThis so that they all see the same sessions (a real
// app uses a network store or mode: 'cookie').
import { MemoryStore, createSessionManager } from 'tessera-session';

declare module 'tessera-session' {
  interface SessionData {
    userId: string;
    visits: number;
  }
}

const shared = globalThis as { tesseraNextStore?: MemoryStore };
const store = (shared.tesseraNextStore ??= new MemoryStore());

export const sessions = createSessionManager({ secrets: process.env.SESSION_SECRET!, store });
