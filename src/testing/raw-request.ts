// A request whose header lines go out exactly as given (a header sent twice, say), which fetch and
// node:http clients cannot send: fetch joins repeated headers into one line.
import { connect } from 'node:net';

/** What `rawGet` got back. */
export interface RawResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The body, as text. */
  readonly body: string;
}

/** The status and body once the whole response is in: by its Content-Length, or at the close. */
function parse(data: Buffer, closed: boolean): RawResponse | undefined {
  const split = data.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const head = data.subarray(0, split).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1];
  const body = data.subarray(split + 4);
  if (!Number.isInteger(status) || (length === undefined ? !closed : body.length < Number(length))) return undefined;
  return { status, body: (length === undefined ? body : body.subarray(0, Number(length))).toString('utf8') };
}

/**
 * Sends `GET path` over HTTP/1.0 (so the answer is never chunked) to `baseUrl` with `lines` as
 * its header lines (`Name: value`, as given), and resolves to the status and body. The socket
 * stays open for writing until the answer is in (some servers drop the answer to a request whose
 * client half-closed). Fails after `timeoutMs`.
 */
export function rawGet(baseUrl: string, path: string, lines: readonly string[], timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return new Promise((resolve, reject) => {
    const socket = connect(port, url.hostname.replace(/^\[|\]$/g, ''));
    let data = Buffer.alloc(0);
    const settle = (closed: boolean): void => {
      const response = parse(data, closed);
      if (response !== undefined) {
        resolve(response);
        socket.destroy();
      } else if (closed) reject(new Error(`not a whole HTTP response: ${JSON.stringify(data.toString('latin1').slice(0, 200))}`));
    };
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to GET ${path} within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write([`GET ${path} HTTP/1.0`, `Host: ${url.host}`, 'Connection: close', ...lines, '', ''].join('\r\n')));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      settle(false);
    });
    socket.on('error', reject);
    socket.on('close', () => settle(true));
  });
}
