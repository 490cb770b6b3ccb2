// A child process for exit.test.ts: an Express app with the drop-in mounted with its defaults
// (only `secret`: the default MemoryStore, resave and saveUninitialized left to their
// deprecated defaults), with `MemoryStore({ checkPeriod })` when given `checkPeriod`, or on
// tessera's own MemoryStore (with its sweep) when given `tessera-store`. It
// serves a new session and then the same session again, closes the server and prints what is
// still open; after that, nothing must keep the process alive.
import { createServer } from 'node:http';
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

const server = createServer(app);
server.listen(0, '127.0.0.1', () => {
  void (async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const first = await fetch(url);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const second = await fetch(url, { headers: { cookie } });
    console.log(`responses ${await first.text()} ${await second.text()}`);
    server.close(() => {
      setImmediate(() => console.log(`closed; still open: ${JSON.stringify(process.getActiveResourcesInfo())}`));
    });
  })();
});
