import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeRequestHeader } from './request-header.js';

describe('nodeRequestHeader', () => {
  it('Cookie as node:http joined it; any other header with every copy joined by ", "; undefined when absent', () => {
    assert.equal(nodeRequestHeader({ headers: { cookie: 'a=1; b=2' }, headersDistinct: { cookie: ['a=1', 'b=2'] } }, 'cookie'), 'a=1; b=2');
    assert.equal(nodeRequestHeader({ headers: { authorization: 'Bearer a' }, headersDistinct: { authorization: ['Bearer a', 'Bearer b'] } }, 'authorization'), 'Bearer a, Bearer b');
    assert.equal(nodeRequestHeader({ headers: { 'x-session': 't' }, headersDistinct: { 'x-session': ['t'] } }, 'x-session'), 't');
    assert.equal(nodeRequestHeader({ headers: { 'x-session': ['t', 'u'] } }, 'x-session'), 't, u', 'without headersDistinct, an array as node:http gives it');
    assert.equal(nodeRequestHeader({ headers: {} }, 'authorization'), undefined);
    assert.equal(nodeRequestHeader({ headers: { authorization: 'Bearer set' }, headersDistinct: { authorization: ['Basic x', 'Basic y'] } }, 'authorization'), 'Bearer set', 'a header a middleware set wins');
    assert.equal(nodeRequestHeader({ headers: {}, headersDistinct: { authorization: ['Basic x'] } }, 'authorization'), undefined, 'a header a middleware deleted is gone');
  });
});
