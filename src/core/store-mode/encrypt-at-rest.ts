import { SessionError } from '../errors.js';

// The `encryptAtRest` option, apart from the wrapper (encrypted-store.ts), so that the option
// types name no Node type (Buffer) for programs without @types/node.

/** `encryptAtRest` as resolved: off, on, or on while still reading the plain records written before. */
export type EncryptAtRest = 'off' | 'on' | 'migrate';

/** Validates `encryptAtRest`: false (the default), true or `'migrate'`. */
export function resolveEncryptAtRest(value: unknown): EncryptAtRest {
  if (value === undefined || value === false) return 'off';
  if (value === true) return 'on';
  if (value === 'migrate') return 'migrate';
  throw new SessionError('ERR_SESSION_CONFIG', `encryptAtRest must be true, false or 'migrate'; got ${JSON.stringify(value) ?? String(value)}`);
}
