import type { DbscScopeRule } from '../index.js';

/**
 * Whether a host matches a DBSC domain pattern (the spec's "host matches a pattern"): `*` matches
 * every host, `*.example.com` its subdomains (not example.com itself), anything else the host exactly.
 */
export function hostMatches(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return pattern.startsWith('*.') && host.endsWith(pattern.slice(1));
  return host === pattern;
}

/** Whether a URL path falls under a rule's path pattern: the path itself, or below it. */
export function pathMatches(path: string, pattern: string): boolean {
  return path === pattern || (pattern.endsWith('/') ? path.startsWith(pattern) : path.startsWith(`${pattern}/`));
}

/**
 * Whether the browser counts `url` in the scope of the DBSC session tessera registers (the spec's
 * "determine if a URL is in scope", origin-scoped): never the refresh endpoint; otherwise the last
 * rule whose domain and path match decides, and without one the whole origin is in scope.
 */
export function inScope(url: URL, scope: readonly DbscScopeRule[], refreshPath: string): boolean {
  if (url.pathname === refreshPath) return false;
  for (let i = scope.length - 1; i >= 0; i--) {
    const rule = scope[i]!;
    if (hostMatches(url.hostname, rule.domain ?? '*') && pathMatches(url.pathname, rule.path ?? '/')) return rule.type === 'include';
  }
  return true;
}
