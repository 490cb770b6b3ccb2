import { createHmac } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { createRecordCipher } from '../crypto/record-cipher.js';
import type { SessionStore, StoreWriteMeta, StoredSession } from '../store.js';
import type { EncryptAtRest } from './encrypt-at-rest.js';
import { RECORD_PREFIX } from './record.js';

const HMAC_NAME = /^u\.[A-Za-z0-9_-]{43}$/;

/**
 * What a value that does not open reads as: never JSON, so the record is corrupt (a fresh
 * session and a `corrupt` event), never missing and never, above all, taken as it is.
 */
export const UNREADABLE = '\u0000unreadable';

/**
 * The store as the manager sees it with `encryptAtRest` (docs/stores.md); the store itself when
 * it is off. Every value is sealed (record-cipher.ts) and bound to its store key, so a value
 * copied to another key does not open; the user ID a record is indexed by is an HMAC, so the
 * store's per-user index names no user.
 *
 * A compare-and-set names the value the manager read; the wrapper seals it again to find the
 * text the store holds (sealing is deterministic): under the current key first, then under each
 * older key of the keyring (a value sealed before a rotation), then, when migrating, as the plain
 * text. Only a write that meets another write tries them all.
 */
export function encryptedStore(store: SessionStore, keyring: Keyring, mode: EncryptAtRest): SessionStore {
  if (mode === 'off') return store;
  const cipher = createRecordCipher(keyring, 'store-record');
  const userKeys = keyring.derive('store-user');
  const migrating = mode === 'migrate';
  const context = (key: string): string => `value:${key}`;
  const reveal = (key: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const opened = cipher.open(value, context(key));
    if (opened !== null) return opened;
    // Only a session record is read in plain: a plain renewal forward would lead to a sealed record under another key.
    return migrating && value.startsWith(RECORD_PREFIX) ? value : UNREADABLE;
  };
  /**
   * The index names of `userId`: its HMAC under each key, current first; when migrating, the plain
   * ID too, unless it has the shape of an HMAC name (a user ID chosen to be another user's name).
   */
  const owners = (userId: string): string[] => {
    const names = userKeys.map((k) => `u.${createHmac('sha256', k).update(userId, 'utf8').digest('base64url')}`);
    return migrating && !HMAC_NAME.test(userId) ? [...names, userId] : names;
  };
  const metaOf = (meta: StoreWriteMeta | undefined): StoreWriteMeta | undefined =>
    meta?.userId === undefined ? meta : { ...meta, userId: owners(meta.userId)[0]! };

  const wrapped: SessionStore = {
    get(key) {
      const value = store.get(key);
      // A store's promise may be another library's thenable: only a string (or undefined) is an answer now.
      return typeof value === 'string' || value === undefined ? reveal(key, value) : Promise.resolve(value).then((v) => reveal(key, v));
    },
    set: (key, value, expiresAt, meta) => store.set(key, cipher.seal(value, context(key)), expiresAt, metaOf(meta)),
    delete: (key) => store.delete(key),
  };
  const { setIf, listByUser, deleteByUser, deleteExpired, close } = store;
  if (setIf !== undefined) {
    wrapped.setIf = async (key, value, expiresAt, previous, meta) => {
      const sealed = cipher.seal(value, context(key));
      const indexed = metaOf(meta);
      if (previous === undefined) return setIf.call(store, key, sealed, expiresAt, undefined, indexed);
      const held = cipher.sealAll(previous, context(key));
      if (migrating) held.push(previous);
      for (const text of held) {
        if (await setIf.call(store, key, sealed, expiresAt, text, indexed)) return true;
      }
      return false;
    };
  }
  if (listByUser !== undefined) {
    wrapped.listByUser = async (userId) => {
      const seen = new Map<string, StoredSession>();
      for (const owner of owners(userId)) {
        for (const s of await listByUser.call(store, owner)) {
          if (!seen.has(s.key)) seen.set(s.key, { ...s, value: reveal(s.key, s.value)! });
        }
      }
      return [...seen.values()];
    };
  }
  if (deleteByUser !== undefined) {
    wrapped.deleteByUser = async (userId, exceptKeys) => {
      let deleted = 0;
      for (const owner of owners(userId)) deleted += await deleteByUser.call(store, owner, exceptKeys);
      return deleted;
    };
  }
  if (deleteExpired !== undefined) wrapped.deleteExpired = () => deleteExpired.call(store);
  if (close !== undefined) wrapped.close = () => close.call(store);
  return wrapped;
}
