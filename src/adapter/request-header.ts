/** The parts of a `node:http` request `nodeRequestHeader` reads. */
export interface NodeRequestHeaders {
  /** The headers as `node:http` gives them (it keeps only the first of a repeated `Authorization`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Every value of each header, as sent (`node:http` since Node 18.3). */
  readonly headersDistinct?: Readonly<Record<string, string[] | undefined>>;
}

/**
 * The request header that carries the session (`protocol.requestHeader`), ready for
 * `protocol.load`: `Cookie` as `node:http` joins it; any other header sent more than once joined
 * with `, `, which the header transport reads as no token (an ambiguous request names no
 * session). `node:http` itself keeps only the first `Authorization`, so without this a request
 * with two would use whichever came first.
 */
export function nodeRequestHeader(req: NodeRequestHeaders, name: string): string | undefined {
  const value = name === 'cookie' ? req.headers.cookie : (req.headersDistinct?.[name] ?? req.headers[name]);
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : undefined;
}
