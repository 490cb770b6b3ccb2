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

  it('host patterns: a wildcard never covers an IP address, which only an exact pattern matches', () => {
    assert.equal(hostMatches('10.0.0.1', '*.0.0.1'), false);
    assert.equal(hostMatches('[::1]', '*.1]'), false);
    assert.equal(hostMatches('10.0.0.1', '10.0.0.1'), true);
    assert.equal(hostMatches('10.0.0.1', '*'), true);
    assert.equal(inScope(url('/x', '10.0.0.1'), [{ type: 'exclude', domain: '*.0.0.1' }], '/r'), true);
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
    assert.equal(inScope(url('/dbsc/refresh'), [{ type: 'include', path: '/dbsc' }], '/dbsc/refresh'), false, 'an include rule never brings the refresh endpoint in');
  });

  it('property: rules that match nothing change nothing, and a last catch-all rule decides alone', () => {
    const segment = fc.stringMatching(/^[a-z]{1,6}$/);
    // The refresh endpoint itself, and paths near it, come up as often as any other.
    const path = fc.oneof(fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`), fc.constantFrom('/dbsc/refresh', '/dbsc', '/dbsc/refresh/x'));
    const rule = fc.record({ type: fc.constantFrom('include' as const, 'exclude' as const), path: fc.option(path, { nil: undefined }) });
    fc.assert(
      fc.property(path, fc.array(rule, { maxLength: 5 }), fc.constantFrom('include' as const, 'exclude' as const), (p, rules, last) => {
        const elsewhere = rules.map((r) => ({ ...r, domain: 'other.test' }));
        assert.equal(inScope(url(p), elsewhere, '/dbsc/refresh'), p !== '/dbsc/refresh');
        assert.equal(inScope(url(p), [...rules, { type: last }], '/nowhere'), last === 'include');
        assert.equal(inScope(url(p), [...rules, { type: last }], '/dbsc/refresh'), p !== '/dbsc/refresh' && last === 'include');
      }),
    );
  });
});
