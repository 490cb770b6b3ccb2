import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSkipped, readStringItem, sfString } from './headers.js';

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });

describe('DBSC header fields (Structured Fields)', () => {
  it('an sf-string reads back as written, parameters ignored', () => {
    fc.assert(
      fc.property(printable, fc.boolean(), (value, params) => {
        assert.equal(readStringItem(sfString(value) + (params ? ';id="x"' : '')), value);
      }),
    );
  });

  it('legacy bare tokens are read; anything else is undefined, never an exception', () => {
    assert.equal(readStringItem('eyJ.abc.def'), 'eyJ.abc.def');
    assert.equal(readStringItem('"unterminated'), undefined);
    assert.equal(readStringItem('"bad\\escape"'), undefined);
    assert.equal(readStringItem('"ok" trailing'), undefined);
    assert.equal(readStringItem('a b'), undefined);
    assert.equal(readStringItem(null), undefined);
    assert.equal(readStringItem('x'.repeat(9000)), undefined);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (value) => {
        const read = readStringItem(value);
        assert.ok(read === undefined || typeof read === 'string');
      }),
    );
  });

  it('sfString refuses what an sf-string cannot hold', () => {
    assert.throws(() => sfString('é'));
    assert.throws(() => sfString('a\nb'));
  });

  it('Secure-Session-Skipped: the members as the spec writes them; unknown reasons and malformed members left out; never throws', () => {
    assert.deepEqual(parseSkipped('unreachable;session_identifier="123", quota_exceeded;session_identifier="456"'), [
      { reason: 'unreachable', sessionIdentifier: '123' },
      { reason: 'quota_exceeded', sessionIdentifier: '456' },
    ]);
    assert.deepEqual(parseSkipped('server_error'), [{ reason: 'server_error', sessionIdentifier: undefined }]);
    assert.deepEqual(parseSkipped('bogus;session_identifier="1", unreachable;session_identifier="unterminated'), []);
    const reason = fc.constantFrom('unreachable', 'server_error', 'quota_exceeded');
    const member = fc.record({ reason, sessionIdentifier: fc.option(printable, { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(member, { maxLength: 5 }), (members) => {
        const value = members.map((m) => m.reason + (m.sessionIdentifier === undefined ? '' : `;session_identifier=${sfString(m.sessionIdentifier)}`)).join(', ');
        // A comma inside a string is the one thing the approximate member split cannot see.
        fc.pre(members.every((m) => !m.sessionIdentifier?.includes(',')));
        assert.deepEqual(parseSkipped(value), members.map((m) => ({ reason: m.reason, sessionIdentifier: m.sessionIdentifier })));
      }),
    );
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (value) => void parseSkipped(value)));
  });
});
