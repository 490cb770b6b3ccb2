// A child process for exit.test.ts: an Express app with the drop-in mounted with its defaults
// (only `secret`: the default MemoryStore, resave and saveUninitialized left to their
// deprecated defaults), with `MemoryStore({ checkPeriod })` when given `checkPeriod`, or on
// tessera's own MemoryStore (with its sweep) when given `tessera-store`. It
// serves a new session and then the same session again, closes the server and prints what is
// still open; after that, nothing must keep the process alive.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { MemoryStore as TesseraMemoryStore } from '../../src/index.js';
import session, { MemoryStore } from '../../src/express-session/index.js';
import type { SessionOptions, SessionRequest } from '../../src/express-session/index.js';

const variants: Record<string, () => SessionOptions> = {
  defaults: () => ({ secret: 'keyboard cat' }),
  checkPeriod: () => ({ secret: 'keyboard cat', store: new MemoryStore({ checkPeriod: 60_000 }) }),
  'tessera-store': () => ({ secret: 'keyboard cat', store: new TesseraMemoryStore({ sweepInterval: 60 }) }),
};
const options = variants[process.argv[2] ?? 'defaults'];
if (options === undefined) throw new Error(`unknown variant ${process.argv[2]}`);
const app = express();
app.use(session(options()));
app.get('/', (req, res) => {
  const sess = (req as unknown as SessionRequest).session!;
  sess.views = (sess.views ?? 0) + 1;
  res.send(String(sess.views));
});

/** One GET without keep-alive (no client socket outlives its response), as [body, set-cookie]. */
function get(url: string, cookie?: string): Promise<[string, string | undefined]> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers: cookie === undefined ? {} : { cookie } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve([body, res.headers['set-cookie']?.[0]?.split(';')[0]]));
    })
      .on('error', reject)
      .end();
  });
}

const server = createServer(app);
server.listen(0, '127.0.0.1', () => {
  void (async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const [first, cookie] = await get(url);
    const [second] = await get(url, cookie);
    console.log(`responses ${first} ${second}`);
    server.close(() => {
      setImmediate(() => console.log(`closed; still open: ${JSON.stringify(process.getActiveResourcesInfo())}`));
      // What is still open a second later, should the process not have exited (an unref'd timer keeps nothing alive).
      setInterval(() => console.log(`still alive; open: ${JSON.stringify(process.getActiveResourcesInfo())}`), 1000).unref();
    });
  })();
});
