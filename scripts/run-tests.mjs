// Runs the test suite with node's test runner under the Node binary that runs this script, so
// `/path/to/node22 scripts/run-tests.mjs` tests on Node 22. Flags:
//   --no-browser   skip test/browser (CI runs the browser tests once, on the default Node)
//   --only-browser run only test/browser
//   any other argument filters test files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const noBrowser = args.includes('--no-browser');
const onlyBrowser = args.includes('--only-browser');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = ['src', 'test', 'examples']
  .flatMap((dir) => { try { return walk(join(root, dir)); } catch { return []; } })
  .filter((f) => {
    const browser = f.startsWith('test/browser/');
    if (noBrowser && browser) return false;
    if (onlyBrowser && !browser) return false;
    return filters.length === 0 || filters.some((s) => f.includes(s));
  })
  .sort();

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
console.log(`node ${process.version}: ${files.length} test files`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TESSERA_TEST_RUN_ID: process.env.TESSERA_TEST_RUN_ID ?? `${process.pid}${Date.now().toString(36)}` },
});
process.exit(result.status ?? 1);
