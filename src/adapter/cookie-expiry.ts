// A session cookie's `expires` as a store holds it: a Date in memory, an ISO string after a JSON
// round trip. One parser for the express-session drop-in's stores and the connect adapter.

/** Epoch milliseconds of a cookie's `expires` (a Date or a date string), or undefined when it is missing or invalid. */
export function cookieExpiresAt(expires: unknown): number | undefined {
  const at = expires instanceof Date ? expires.getTime() : typeof expires === 'string' ? Date.parse(expires) : NaN;
  return Number.isNaN(at) ? undefined : at;
}
