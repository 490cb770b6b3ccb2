/** The parts of a `node:http` request `nodeRequestHeader` reads. */
export interface NodeRequestHeaders {
  /** The headers as `node:http` gives them (it keeps only the first of a repeated `Authorization`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Every value of each header, as sent (`node:http` since Node 18.3). */
  readonly headersDistinct?: Readonly<Record<string, string[] | undefined>>;
}

/**
 * The request header that carries the session (`protocol.requestHeader`), ready for
 * `protocol.load`, as `req.headers` has it (a middleware may have set it): `Cookie` as
 * `node:http` joins it; any other header the client sent more than once joined with `, `, which
 * the header transport reads as no token (an ambiguous request names no session). `node:http`
 * itself keeps only the first `Authorization`, so without this a request with two would use
 * whichever came first.
 */
export function nodeRequestHeader(req: NodeRequestHeaders, name: string): string | undefined {
  const value = req.headers[name];
  if (typeof value !== 'string') return Array.isArray(value) ? value.join(', ') : undefined;
  // Every copy as sent, unless a middleware rewrote the header since (headersDistinct is not updated).
  const all = name === 'cookie' ? undefined : req.headersDistinct?.[name];
  return all !== undefined && all.length > 1 && all[0] === value ? all.join(', ') : value;
}
