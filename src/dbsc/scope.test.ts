import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hostMatches, inScope, pathMatches } from './scope.js';

const url = (path: string, host = 'example.com'): URL => new URL(`https://${host}${path}`);

describe('DBSC scope (the spec\'s "determine if a URL is in scope")', () => {
  it("host patterns: the spec's examples", () => {
    assert.equal(hostMatches('example.com', '*'), true);
    assert.equal(hostMatches('example.com', 'example.com'), true);
    assert.equal(hostMatches('example.com', '*.example.com'), false);
    assert.equal(hostMatches('subdomain.example.com', '*.example.com'), true);
    assert.equal(hostMatches('evilexample.com', '*.example.com'), false);
    assert.equal(hostMatches('a.example.com', '*example.com'), false, 'a wildcard must be followed by a dot');
  });

  it('path patterns: the path itself or below it, never a longer name', () => {
    assert.equal(pathMatches('/static', '/static'), true);
    assert.equal(pathMatches('/static/app.js', '/static'), true);
    assert.equal(pathMatches('/staticky', '/static'), false);
    assert.equal(pathMatches('/static/app.js', '/static/'), true);
    assert.equal(pathMatches('/static', '/static/'), false);
    assert.equal(pathMatches('/anything', '/'), true);
  });

  it('the last matching rule decides; no rules: the whole origin but the refresh endpoint', () => {
    assert.equal(inScope(url('/account'), [], '/dbsc/refresh'), true);
    assert.equal(inScope(url('/dbsc/refresh'), [], '/dbsc/refresh'), false);
    const rules = [
      { type: 'exclude', path: '/static' },
      { type: 'include', path: '/static/private' },
    ] as const;
    assert.equal(inScope(url('/static/logo.png'), rules, '/r'), false);
    assert.equal(inScope(url('/static/private/report.pdf'), rules, '/r'), true);
    assert.equal(inScope(url('/home'), rules, '/r'), true);
    assert.equal(inScope(url('/x', 'cdn.example.com'), [{ type: 'exclude', domain: 'cdn.example.com' }], '/r'), false);
    assert.equal(inScope(url('/x'), [{ type: 'exclude', domain: 'cdn.example.com' }], '/r'), true);
  });

  it('property: rules that match nothing change nothing, and a last catch-all rule decides alone', () => {
    const segment = fc.stringMatching(/^[a-z]{1,6}$/);
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
    const rule = fc.record({ type: fc.constantFrom('include' as const, 'exclude' as const), path: fc.option(path, { nil: undefined }) });
    fc.assert(
      fc.property(path, fc.array(rule, { maxLength: 5 }), fc.constantFrom('include' as const, 'exclude' as const), (p, rules, last) => {
        const elsewhere = rules.map((r) => ({ ...r, domain: 'other.test' }));
        assert.equal(inScope(url(p), elsewhere, '/dbsc/refresh'), p !== '/dbsc/refresh');
        assert.equal(inScope(url(p), [...rules, { type: last }], '/nowhere'), last === 'include');
      }),
    );
  });
});
