// `require('tessera-session/express-session')` returns the callable factory itself (Node >= 20.19
// require(esm) with the "module.exports" export), checked on the compiled output in a child
// CommonJS process, with stores built the way CommonJS stores build themselves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tessera-es-cjs-'));
after(() => rmSync(out, { recursive: true, force: true }));

describe('express-session compat: CommonJS', () => {
  it('require() gives the callable factory with Store, MemoryStore, Cookie and Session', { timeout: 120_000 }, () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '--outDir', out, '--rootDir', join(root, 'src'), '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node', join(root, 'src/express-session/index.ts')], { cwd: root, stdio: 'pipe' });
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    const script = `
      const session = require(${JSON.stringify(join(out, 'express-session', 'index.js'))});
      const util = require('node:util');
      const assert = require('node:assert/strict');
      assert.equal(typeof session, 'function');
      assert.equal(typeof session({ secret: 's', resave: false, saveUninitialized: false }), 'function');
      for (const k of ['Store', 'MemoryStore', 'Cookie', 'Session']) assert.equal(typeof session[k], 'function', k);
      function LegacyStore() { session.Store.call(this); }
      util.inherits(LegacyStore, session.Store);
      const store = new LegacyStore();
      assert.ok(store instanceof session.Store);
      assert.equal(typeof store.on, 'function');
      assert.equal(typeof store.regenerate, 'function');
      assert.ok(session.Store() instanceof session.Store);
      assert.equal(new session.Cookie().path, '/');
      process.stdout.write('ok');
    `;
    const output = execFileSync(process.execPath, ['-e', script], { cwd: out, encoding: 'utf8' });
    assert.equal(output, 'ok');
  });
});
