// The core alone, before and after: the same read and write through the adapter protocol's
// load/prepare/run on a MemoryStore, on a baseline build and on this checkout's dist/ (and with
// encryptAtRest), alternated in one process. Run `npm run build` first, then
//   node bench/core-ab.mjs <dir of a built baseline checkout>
// Prints the median µs per request of rounds 2-7 (20,000 requests each) and their range.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const baseline = process.argv[2];
if (baseline === undefined) throw new Error('usage: node bench/core-ab.mjs <dir of a built baseline checkout>');
const builds = { before: resolve(baseline, 'dist'), after: fileURLToPath(new URL('../dist', import.meta.url)) };
const SECRET = 'hotpath-bench-secret-0123456789abcdefghijklm';
async function setup(dir, extra = {}) {
  const core = await import(`${dir}/index.js`);
  const { sessionProtocol } = await import(`${dir}/adapter/index.js`);
  const manager = core.createSessionManager({ secrets: SECRET, store: new core.MemoryStore({ maxEntries: 1e6 }), cookie: { secure: false }, ...extra });
  const protocol = sessionProtocol(manager);
  const cookies = [];
  for (let i = 0; i < 1000; i++) {
    const s = await protocol.load(undefined);
    s.set('userId', `u${i}`); s.set('cart', [1, 2, 3]);
    const p = protocol.prepare(s); await p.run();
    cookies.push(p.headers.find(([n]) => n === 'set-cookie')[1].split(';')[0]);
  }
  return { protocol, cookies };
}
async function run(env, n, write) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const s = env.protocol.load(env.cookies[i % 1000]);
    const session = s instanceof Promise ? await s : s;
    if (write) session.set('hits', i);
    const p = env.protocol.prepare(session);
    if (p.pending) await p.run();
  }
  return Number(process.hrtime.bigint() - t) / n / 1000;
}
const envs = { before: await setup(builds.before), after: await setup(builds.after), encrypted: await setup(builds.after, { encryptAtRest: true }) };
const res = {};
for (let round = 0; round < 7; round++) {
  for (const write of [false, true]) for (const name of Object.keys(envs)) {
    const us = await run(envs[name], 20000, write);
    if (round > 0) (res[`${name} ${write ? 'write' : 'read'}`] ??= []).push(us);
  }
}
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k.padEnd(18), 'median µs', v[3].toFixed(2), 'range', v[0].toFixed(2), '-', v[v.length - 1].toFixed(2)); }
