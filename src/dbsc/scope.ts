import type { DbscScopeRule } from '../index.js';

/** A URL's hostname that is an IP address: IPv6 in brackets, or IPv4 (the URL parser turns every numeric last label into one). */
const IP_HOST = /^\[|^[0-9.]+$/;

/**
 * Whether a host (as a URL serializes it: lower case) matches a DBSC domain pattern (the spec's
 * "host matches a pattern"): `*` matches every host, `*.example.com` the subdomains of a domain
 * (not example.com itself, never an IP address), anything else the host exactly.
 */
export function hostMatches(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*') && !IP_HOST.test(host)) return pattern.startsWith('*.') && host.endsWith(pattern.slice(1));
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
