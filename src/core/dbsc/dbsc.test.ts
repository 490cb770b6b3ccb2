import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../testing/fake-clock.js';
import { createKeyring } from '../crypto/keyring.js';
import { hashStoreKey } from '../crypto/random.js';
import { createSessionManager } from '../manager.js';
import { MemoryStore } from '../memory-store.js';
import type { SessionStore } from '../store.js';
import { mergeRecord } from '../store-mode/commit.js';
import { decodeRecord, encodeRecord } from '../store-mode/record.js';
import type { SessionRecord } from '../store-mode/record.js';
import { decodeBinding, encodeBinding } from './binding.js';
import type { Binding } from './binding.js';
import { dbscAccess } from './capability.js';
import { createDbscCredentials } from './credentials.js';

const SECRET = 'dbsc-unit-test-secret-0123456789abcdefghij';
const OLD_SECRET = 'dbsc-unit-test-old-secret-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 1);
const BINDING: Binding = { id: 'A'.repeat(24), alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy' }, thumbprint: 'T'.repeat(43), boundAt: NOW, used: [['n'.repeat(22), NOW]] };
const record = (binding?: Binding): SessionRecord => ({ createdAt: NOW, lastSeenAt: NOW, persistent: false, userId: 'ada', client: undefined, data: { userId: 'ada' }, binding });

describe('DBSC in the core', () => {
  it('DB-19 refused at construction where it cannot be sound: sealed mode, the header transport, a store without compare-and-set, alg none, a short bound lifetime', () => {
    const refuse = (options: object, pattern: RegExp): void => assert.throws(() => createSessionManager({ secrets: SECRET, ...options } as never), pattern);
    refuse({ mode: 'cookie', dbsc: {} }, /dbsc needs mode: 'store'/);
    refuse({ transport: { header: {} }, dbsc: {} }, /header transport/);
    const noSetIf: SessionStore = { get: () => undefined, set: () => undefined, delete: () => undefined } as unknown as SessionStore;
    refuse({ store: noSetIf, dbsc: {} }, /setIf/);
    refuse({ dbsc: { algorithms: ['none'] } }, /ES256 and\/or RS256/);
    refuse({ dbsc: { boundLifetime: 60 } }, /boundLifetime/);
    refuse({ dbsc: { registrationPath: 'no-slash' } }, /registrationPath/);
    refuse({ cookie: { partitioned: true }, dbsc: {} }, /Partitioned/);
  });

  it('DB-20 records without a binding encode exactly as before and load unbound with dbsc on; a binding round-trips; a garbled one makes the record corrupt', async () => {
    const plain = record();
    delete plain.binding;
    const text = encodeRecord(plain);
    assert.doesNotMatch(text, /"b":/);
    assert.equal(encodeRecord(record(undefined)), text);
    assert.deepEqual(decodeRecord(encodeRecord(record(BINDING)))?.binding, BINDING);
    const garbled = encodeRecord(record(BINDING)).replace('"a":"ES256"', '"a":"none"');
    assert.equal(decodeRecord(garbled), undefined);
    const clock = new FakeClock(NOW);
    const store = new MemoryStore({ clock });
    const manager = createSessionManager({ secrets: SECRET, store, clock, dbsc: {} });
    const session = await manager.load(undefined);
    session.set('userId', 'ada');
    const { setCookie } = await manager.commit(session);
    const loaded = await manager.load(setCookie[0]!.split(';')[0]);
    assert.equal(loaded.get('userId'), 'ada');
    assert.equal(loaded.bound, false, 'an unbound session works as before');
  });

  it('DB-21 a normal commit that meets a DBSC write keeps the stored binding (and its used challenges)', () => {
    const theirs = record({ ...BINDING, used: [...BINDING.used, ['m'.repeat(22), NOW + 1]] });
    const ours = { ...record(BINDING), data: { userId: 'ada', cart: 1 } };
    const merged = mergeRecord(record(BINDING), ours, theirs, new Map(), NOW + 2);
    assert.deepEqual(merged.binding, theirs.binding);
    assert.equal(merged.data.cart, 1);
  });

  it('the bound cookie is tied to the binding (identifier and key thumbprint) and its expiry; older keys of the ring verify', () => {
    const old = createDbscCredentials(createKeyring(OLD_SECRET));
    const current = createDbscCredentials(createKeyring([SECRET, OLD_SECRET]));
    const value = old.boundValue(BINDING, NOW + 600_000);
    assert.equal(current.boundValid(BINDING, value, NOW), true);
    assert.equal(current.boundValid(BINDING, value, NOW + 600_000), false, 'expired');
    assert.equal(current.boundValid({ ...BINDING, thumbprint: 'U'.repeat(43) }, value, NOW), false, 'another key');
    assert.equal(current.boundValid({ ...BINDING, id: 'B'.repeat(24) }, value, NOW), false, 'another DBSC session');
    const forged = `${(NOW + 10 ** 9).toString(36)}.${value.split('.')[1]}`;
    assert.equal(current.boundValid(BINDING, forged, NOW), false, 'a later expiry needs a new MAC');
  });

  it('challenges: bound to their subject and kind, stale after their lifetime, a little clock skew allowed', () => {
    const credentials = createDbscCredentials(createKeyring(SECRET));
    const subject = hashStoreKey('session');
    const life = (): number => 120_000;
    const g = credentials.challenge('g', subject, NOW);
    assert.equal(credentials.check(g, ['g'], subject, NOW + 1000, life).ok, true);
    assert.deepEqual(credentials.check(g, ['r', 'p'], subject, NOW, life), { ok: false, reason: 'invalid' }, 'a registration challenge is no refresh challenge');
    assert.deepEqual(credentials.check(g, ['g'], hashStoreKey('other'), NOW, life), { ok: false, reason: 'invalid' });
    assert.deepEqual(credentials.check(g, ['g'], subject, NOW + 120_001, life), { ok: false, reason: 'stale' });
    assert.deepEqual(credentials.check(g, ['g'], subject, NOW - 10_000, life), { ok: false, reason: 'stale' }, 'issued in the future');
  });

  it('property: random bound cookies and challenges never verify, never throw; random stored bindings decode or are refused, never throw', () => {
    const credentials = createDbscCredentials(createKeyring(SECRET));
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (value) => {
        assert.equal(credentials.boundValid(BINDING, value, NOW), false);
        assert.equal(credentials.check(value, ['g', 'r', 'p'], 'subject', NOW, () => 1e12).ok, false);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const decoded = decodeBinding(raw);
        if (decoded !== undefined) assert.deepEqual(decodeBinding(encodeBinding(decoded)), decoded);
      }),
    );
  });

  it('DB-22 a bound session keeps its binding through an ID renewal (renewAfter): the bound cookie still counts, without it the renewed ID gives nothing', async () => {
    const clock = new FakeClock(NOW);
    const store = new MemoryStore({ clock });
    const manager = createSessionManager({ secrets: SECRET, store, clock, dbsc: {}, renewAfter: 60, cookie: { secure: false, name: 'sid' } });
    const first = await manager.load(undefined);
    first.regenerate();
    first.set('userId', 'ada');
    const login = await manager.commit(first);
    assert.ok(login.headers.some(([name]) => name === 'secure-session-registration'));
    const cookie = login.setCookie[0]!.split(';')[0]!;
    const access = dbscAccess(manager);
    const written = await access.bind((await access.lookup(cookie))!, { alg: 'ES256', jwk: BINDING.jwk, thumbprint: BINDING.thumbprint });
    assert.equal(written.status, 'ok');
    const bound = access.boundCookie((written as { binding: Binding }).binding).split(';')[0]!;
    assert.match(bound, /^sid-bound=/);
    clock.advance(61);
    const session = await manager.load(`${cookie}; ${bound}`);
    assert.equal(session.bound, true);
    const renewed = (await manager.commit(session)).setCookie.find((c) => c.startsWith('sid='))!.split(';')[0]!;
    assert.notEqual(renewed, cookie, 'the ID was renewed');
    const after = await manager.load(`${renewed}; ${bound}`);
    assert.equal(after.bound, true);
    assert.equal(after.get('userId'), 'ada');
    const bare = await manager.load(renewed);
    assert.equal(bare.bound, false);
    assert.equal(bare.get('userId'), undefined);
  });
});
