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

/**
 * Sends `GET path` over HTTP/1.0 (so the answer is never chunked) to `baseUrl` with `lines` as
 * its header lines (`Name: value`, as given), and resolves to the status and body. Fails after
 * `timeoutMs`.
 */
export function rawGet(baseUrl: string, path: string, lines: readonly string[], timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to GET ${path} within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.end([`GET ${path} HTTP/1.0`, `Host: ${url.host}`, ...lines, '', ''].join('\r\n')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]);
      if (split < 0 || !Number.isInteger(status)) reject(new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      else resolve({ status, body: text.slice(split + 4) });
    });
  });
}
