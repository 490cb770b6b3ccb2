import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { varyWith, writeSessionHeaders } from './response-headers.js';

describe('response headers', () => {
  it('appends each set-cookie and sets the others, in order', () => {
    const calls: string[] = [];
    writeSessionHeaders(
      [
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['cache-control', 'no-store'],
      ],
      { append: (n, v) => calls.push(`append ${n} ${v}`), set: (n, v) => calls.push(`set ${n} ${v}`) },
    );
    assert.deepEqual(calls, ['append set-cookie a=1', 'append set-cookie b=2', 'set cache-control no-store']);
  });

  it('Vary gains the request header once, spelled Cookie for the cookie', () => {
    assert.equal(varyWith(undefined, 'cookie'), 'Cookie');
    assert.equal(varyWith(null, 'authorization'), 'authorization');
    assert.equal(varyWith('', 'cookie'), 'Cookie');
    assert.equal(varyWith('Accept-Encoding', 'cookie'), 'Accept-Encoding, Cookie');
    assert.equal(varyWith(['Accept', 'Origin'], 'cookie'), 'Accept, Origin, Cookie');
    assert.equal(varyWith('Accept, COOKIE', 'cookie'), undefined);
    assert.equal(varyWith('*', 'cookie'), undefined);
    assert.equal(varyWith(42, 'cookie'), '42, Cookie');
  });

  it('property: the result always lists the header exactly where it was missing, and never changes a Vary that has it', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z-]{0,12}$/), { maxLength: 5 }), fc.constantFrom('cookie', 'authorization', 'x-session'), (parts, header) => {
        const current = parts.join(', ');
        const listed = parts.some((p) => p.toLowerCase() === header);
        const next = varyWith(current, header);
        if (listed) assert.equal(next, undefined);
        else {
          assert.ok(next !== undefined);
          assert.ok(next.toLowerCase().split(',').map((p) => p.trim()).includes(header));
        }
      }),
    );
  });
});
