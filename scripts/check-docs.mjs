// The docs check (`npm run check:docs`, a step of .ci/run): the documentation is tried the way a
// user meets it, against the package as published.
//
//   1. `npm pack` (prepack builds), then a scratch project in a temp dir installs the tarball with
//      `npm install <tarball> --prefer-offline`: its one dependency (jose) comes from the npm cache
//      when `npm ci` put it there, else from the registry, as for a user.
//      Third-party packages the snippets import are linked from this project's node_modules.
//   2. Every ```ts / ```typescript block of README.md and docs/*.md compiles there: strict and
//      exactOptionalPropertyTypes (the strictest setting users run), module and moduleResolution
//      nodenext, @types/node present. The blocks of one Markdown file
//      are the modules of one program (so README's `declare module 'tessera-session'` block types
//      its other blocks), together with test/types/package/*.ts that name that file (see
//      FILES_WITH below). A block whose first line is `// name.ts` or `// name.d.ts` is compiled
//      as a file of that kind. A block preceded by `<!-- not-compiled: reason -->` is skipped, and
//      counted and listed with its reason. A block preceded by `<!-- program: NAME -->` is compiled
//      in a program of its own (with the file's other blocks marked NAME): for code whose global
//      augmentations would change how the file's other blocks type. The program `bundler` resolves
//      modules as bundlers do (`moduleResolution: bundler`): for Next.js code, whose `next/headers`
//      and `next/server` only a bundler finds.
//   3. A block preceded by `<!-- run: STEP; STEP -->` is also run: its compiled module is started
//      with PORT (a free port) and SESSION_SECRET set, each step (`METHOD /path`, optionally
//      `-> STATUS`, `sets cookie` and `"text the body contains"`) is one request carrying the
//      cookies set so far, and the server is stopped by its PID.
//   4. Every relative link of README.md and docs/*.md names a file or folder of the installed
//      package (the docs ship in it), or one of REPOSITORY_ONLY, which the text must call part of
//      the source repository; no link is dead in either place.
//   5. Every entry not in NODE_TYPES_ENTRIES (scripts/entries.mjs) compiles in a second scratch
//      project that has no @types/node at all (`types: []`, `lib: ["es2023", "dom"]`: web APIs
//      such as Headers are fine, Node's types are not; library checks on).
//
// Flags: --keep leaves the temp dir (its path is printed). Exit code 1 on any failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageEntries } from './entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
/** Folders of the repository that are not in the package: a link into one must say "source repository" on its line. */
const REPOSITORY_ONLY = ['examples/'];

/** The relative link targets of a Markdown file, as paths from the package root, with their lines. */
function relativeLinks(file) {
  const links = [];
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  for (const [index, text] of lines.entries()) {
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1].replace(/#.*$/, '');
      if (target === '' || /^[a-z][a-z+.-]*:/i.test(target)) continue;
      links.push({ line: index + 1, text, path: posix.normalize(posix.join(posix.dirname(file), target)) });
    }
  }
  return links;
}

/** Dead links: in the installed package at `installed`, and in the repository. */
function checkLinks(installed) {
  let count = 0;
  for (const file of docFiles) {
    for (const link of relativeLinks(file)) {
      count++;
      const where = `${file}:${link.line}: link to ${link.path}`;
      if (!existsSync(join(root, link.path))) fail(`${where}: no such file in the repository`);
      else if (REPOSITORY_ONLY.some((folder) => link.path.startsWith(folder))) {
        if (!/source repository/i.test(link.text)) fail(`${where}: not in the package; say on that line that it is in the source repository`);
      } else if (!existsSync(join(installed, link.path))) fail(`${where}: not in the installed package (add it to "files" in package.json)`);
    }
  }
  return count;
}

/** test/types/package files compiled with a Markdown file's blocks. */
const FILES_WITH = { 'README.md': ['test/types/package/augmented-entries.ts'] };
const SECRET = 'docs-check-secret-0123456789-abcdefghijklmnop';

const failures = [];
const fail = (message) => void failures.push(message);

// ---------------------------------------------------------------------------------------------
// Markdown blocks

/** Every ```ts / ```typescript block of `file`: `{ file, line (of its first code line), code, skip?, run? }`. */
function blocksOf(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    // A fence may be indented (a block inside a list item): its code loses that indentation.
    const fence = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (fence === null) continue;
    const [, indent, mark, lang] = fence;
    const end = lines.findIndex((line, j) => j > i && line.trim() === mark);
    if (end === -1) throw new Error(`${file}:${i + 1}: a code fence that never closes`);
    if (lang === 'ts' || lang === 'typescript') {
      let before = i - 1;
      while (before >= 0 && lines[before].trim() === '') before--;
      const marker = before >= 0 ? /^<!--\s*(not-compiled|run|program):\s*(.*?)\s*-->$/.exec(lines[before].trim()) : null;
      blocks.push({
        file,
        line: i + 2,
        code: lines.slice(i + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line)).join('\n') + '\n',
        skip: marker?.[1] === 'not-compiled' ? marker[2] : undefined,
        run: marker?.[1] === 'run' ? marker[2] : undefined,
        program: marker?.[1] === 'program' ? marker[2] : undefined,
      });
    }
    i = end;
  }
  return blocks;
}

const docFiles = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
const allBlocks = docFiles.flatMap(blocksOf);
const compiled = allBlocks.filter((block) => block.skip === undefined);
const skipped = allBlocks.filter((block) => block.skip !== undefined);
for (const block of skipped) {
  if (block.skip === '') fail(`${block.file}:${block.line}: <!-- not-compiled: --> needs a reason`);
}

/** Bare package names the blocks import (not node: builtins, not this package). */
function importedPackages(blocks, self) {
  const names = new Set();
  for (const { code } of blocks) {
    for (const match of code.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\s)import\s*['"]([^'"]+)['"]/gm)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      if (name !== self) names.add(name);
    }
  }
  return [...names].sort();
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Runs a command to completion, output captured. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, error: result.error };
}

function runAsync(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ status: 1, output: `${output}${error.message}` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

function must(what, result) {
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.output}${result.error ? String(result.error) : ''}`);
  return result.output;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const canConnect = (port) =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

// ---------------------------------------------------------------------------------------------
// Scratch projects

const tsBase = {
  strict: true,
  exactOptionalPropertyTypes: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  skipLibCheck: false,
};

function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A project in `dir` with only the tarball installed, the way a user installs it. */
function scratchProject(dir, tarball) {
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'package.json'), { name: 'tessera-docs-check', private: true, type: 'module' });
  must(`npm install ${tarball} --prefer-offline in ${dir}`, run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: dir }));
}

/**
 * Links `name` (and `@types/name` when there is one) from this project's node_modules into `dir`'s,
 * with the dependencies npm hoisted beside it, as a user's install would have them (a package that
 * `declare module`s into another, as tessera-session/express-session does into
 * express-serve-static-core, needs that one resolvable from its own place).
 */
function linkPackage(dir, name, importedBy) {
  const from = join(root, 'node_modules', name);
  const to = join(dir, 'node_modules', name);
  if (existsSync(to)) return;
  if (!existsSync(from)) {
    if (importedBy === undefined) fail(`a documented block imports ${name}, which is not installed in this project (add it to devDependencies, or mark the block <!-- not-compiled: reason -->)`);
    return; // a dependency npm did not hoist: the package finds it in its own node_modules
  }
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(from, to, 'dir');
  const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) linkPackage(dir, dependency, name);
  const typesName = `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
  if (typesName !== name && existsSync(join(root, 'node_modules', typesName))) linkPackage(dir, typesName, name);
}

const relativeName = (file) => file.replace(/[^A-Za-z0-9]+/g, '-').replace(/-md$/, '');

/** TypeScript's `block-N.ts(line,col)` diagnostics as `file.md:line:col`. */
function mapDiagnostics(output, files) {
  return output.replace(/^([\w./-]+)\((\d+),(\d+)\)/gm, (all, path, line, col) => {
    const block = files.get(path.replace(/^.*\//, ''));
    return block ? `${block.file}:${block.line + Number(line) - 1}:${col}` : all;
  });
}

// ---------------------------------------------------------------------------------------------
// Running a documented server

function parseSteps(spec) {
  return spec.split(';').map((text) => {
    const match = /^\s*(GET|POST|PUT|PATCH|DELETE|HEAD)\s+(\/\S*)(?:\s*->\s*(\d{3}))?(\s+sets cookie)?(?:\s+"([^"]*)")?\s*$/.exec(text);
    if (match === null) throw new Error(`a run step must be 'METHOD /path [-> STATUS] [sets cookie] ["text"]', got ${JSON.stringify(text)}`);
    return { text: text.trim(), method: match[1], path: match[2], status: match[3] ? Number(match[3]) : undefined, setsCookie: match[4] !== undefined, contains: match[5] };
  });
}

async function runServer(block, modulePath, cwd) {
  const steps = parseSteps(block.run);
  const port = await freePort();
  const child = spawn(process.execPath, [modulePath], { cwd, env: { ...process.env, PORT: String(port), SESSION_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const where = `${block.file}:${block.line}`;
  const report = [];
  try {
    const deadline = Date.now() + 15_000;
    while (!(await canConnect(port))) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before listening on PORT=${port}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`did not listen on PORT=${port} within 15 s:\n${output}`);
      await sleep(100);
    }
    const jar = new Map();
    for (const step of steps) {
      const headers = jar.size > 0 ? { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') } : {};
      const response = await fetch(`http://127.0.0.1:${port}${step.path}`, { method: step.method, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      const body = await response.text();
      const setCookies = response.headers.getSetCookie();
      for (const header of setCookies) {
        const [pair, ...attributes] = header.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        // A cookie cleared with Max-Age=0 or an Expires in the past is dropped, as a browser does.
        const cleared = attributes.some((attribute) => {
          const [key, value = ''] = attribute.split('=').map((part) => part.trim());
          return (key.toLowerCase() === 'max-age' && Number(value) <= 0) || (key.toLowerCase() === 'expires' && Date.parse(value) <= Date.now());
        });
        if (cleared) jar.delete(name);
        else jar.set(name, pair.slice(eq + 1).trim());
      }
      const cookieNames = setCookies.map((header) => header.split('=')[0]);
      report.push(`${step.method} ${step.path} -> ${response.status}${cookieNames.length > 0 ? `, Set-Cookie ${cookieNames.join(', ')}` : ''}${body ? `, body ${JSON.stringify(body.slice(0, 60))}` : ''}`);
      if (response.status >= 500) throw new Error(`${step.text}: answered ${response.status}: ${body}\n${output}`);
      if (step.status !== undefined && response.status !== step.status) throw new Error(`${step.text}: answered ${response.status}, not ${step.status}: ${body}`);
      if (step.setsCookie && setCookies.length === 0) throw new Error(`${step.text}: set no cookie`);
      if (step.contains !== undefined && !body.includes(step.contains)) throw new Error(`${step.text}: the body ${JSON.stringify(body)} does not contain ${JSON.stringify(step.contains)}`);
    }
  } catch (error) {
    fail(`${where}: the documented server: ${error.message}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
  return report;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const entries = packageEntries(root);
  const temp = mkdtempSync(join(tmpdir(), 'tessera-docs-check-'));
  let serverReports = [];
  try {
    console.log(`docs check in ${temp}`);
    must('npm pack', run('npm', ['pack', '--pack-destination', temp, '--loglevel=error'], { cwd: root }));
    const packed = readdirSync(temp).filter((name) => name.endsWith('.tgz'));
    if (packed.length !== 1) throw new Error(`npm pack left ${packed.length} tarballs in ${temp}`);
    const tarball = join(temp, packed[0]);
    console.log(`packed ${packed[0]} (${(statSync(tarball).size / 1024).toFixed(0)} kB)`);

    // Snippets, one program per Markdown file.
    const app = join(temp, 'app');
    scratchProject(app, tarball);
    const linkCount = checkLinks(join(app, 'node_modules', pkg.name));
    const extraFiles = Object.values(FILES_WITH).flat();
    const extraCode = extraFiles.map((file) => ({ code: readFileSync(join(root, file), 'utf8') }));
    for (const name of [...new Set(['@types/node', ...importedPackages([...compiled, ...extraCode], pkg.name)])]) linkPackage(app, name);
    // skipLibCheck as most projects have it (tsc --init); the declarations themselves are checked below.
    writeJson(join(app, 'tsconfig.base.json'), { compilerOptions: { ...tsBase, lib: ['es2023'], types: ['node'], skipLibCheck: true, noEmitOnError: true } });

    const byFile = new Map();
    for (const block of compiled) {
      const key = block.program === undefined ? block.file : `${block.file}#${block.program}`;
      byFile.set(key, [...(byFile.get(key) ?? []), block]);
    }
    for (const file of Object.keys(FILES_WITH)) if (!byFile.has(file)) fail(`${file} has no compiled block, but ${FILES_WITH[file].join(', ')} is compiled with its blocks`);
    const programs = [...byFile].map(([file, blocks]) => {
      const dir = join(app, relativeName(file));
      mkdirSync(dir);
      const names = new Map();
      for (const block of blocks) {
        // A block whose first line is a comment naming a file (`// session-data.d.ts`) is compiled under that
        // name: a declaration file is read differently (a `declare module` in one without an import or export
        // hides the package instead of adding to it).
        const named = /^\/\/ ([\w-]+\.(?:d\.)?ts)\s*$/.exec(block.code.split('\n')[0]);
        const name = `block-${block.line}${named ? `.${named[1]}` : '.ts'}`;
        block.fileName = name;
        names.set(name, block);
        writeFileSync(join(dir, name), block.code);
      }
      for (const extra of FILES_WITH[file] ?? []) writeFileSync(join(dir, extra.replace(/^.*\//, '')), readFileSync(join(root, extra), 'utf8'));
      const resolution = file.endsWith('#bundler') ? { module: 'esnext', moduleResolution: 'bundler' } : {};
      writeJson(join(dir, 'tsconfig.json'), { extends: '../tsconfig.base.json', compilerOptions: { outDir: 'out', ...resolution }, include: ['*.ts'] });
      return { file, dir, blocks, names };
    });
    const results = await Promise.all(programs.map((program) => runAsync(process.execPath, [tsc, '-p', program.dir, '--pretty', 'false'], { cwd: program.dir })));
    for (const [index, program] of programs.entries()) {
      const result = results[index];
      if (result.status !== 0) fail(`${program.file}: its TypeScript blocks do not compile against the packed package:\n${mapDiagnostics(result.output, program.names).trimEnd()}`);
    }

    // Documented servers.
    for (const [index, program] of programs.entries()) {
      if (results[index].status !== 0) continue;
      for (const block of program.blocks) {
        if (block.run === undefined) continue;
        if (block.fileName.endsWith('.d.ts')) {
          fail(`${block.file}:${block.line}: a declaration file cannot run`);
          continue;
        }
        const report = await runServer(block, join(program.dir, 'out', block.fileName.replace(/\.ts$/, '.js')), program.dir);
        serverReports.push(`${block.file}:${block.line}: ${report.join('; ')}`);
      }
    }
    if (!allBlocks.some((block) => block.run !== undefined)) fail('no block is marked <!-- run: ... -->: the README Quick start must run');

    // Entries whose types must not need @types/node.
    const bare = join(temp, 'no-node-types');
    scratchProject(bare, tarball);
    // A user of the hono entry has hono: the optional peers are there, @types/node is not.
    for (const peer of Object.keys(pkg.peerDependencies ?? {})) linkPackage(bare, peer);
    const portable = entries.filter((entry) => !entry.nodeTypes);
    writeFileSync(join(bare, 'entries.ts'), portable.map((entry, i) => `export * as entry${i} from '${entry.specifier}';\n`).join(''));
    writeJson(join(bare, 'tsconfig.json'), { compilerOptions: { ...tsBase, lib: ['es2023', 'dom'], types: [], noEmit: true }, include: ['entries.ts'] });
    const bareResult = run(process.execPath, [tsc, '-p', bare, '--pretty', 'false'], { cwd: bare });
    if (bareResult.status !== 0) {
      fail(`without @types/node (types: [], lib es2023 and dom), these entries must compile: ${portable.map((entry) => entry.specifier).join(', ')}. An entry that needs Node's types belongs in NODE_TYPES_ENTRIES (scripts/entries.mjs) and the README must say so:\n${bareResult.output.trimEnd()}`);
    }

    // Summary.
    const counts = [...byFile].map(([file, blocks]) => `${file} ${blocks.length}`).join(', ');
    console.log(`compiled ${compiled.length} TypeScript blocks (${counts}) against the packed package, strict, module nodenext`);
    for (const extra of Object.entries(FILES_WITH)) console.log(`  with ${extra[1].join(', ')} in the program of ${extra[0]}`);
    console.log(`${linkCount} relative links of the docs resolve in the installed package (or say they are in the source repository)`);
    console.log(`skipped ${skipped.length}${skipped.length > 0 ? ':' : ''}`);
    for (const block of skipped) console.log(`  ${block.file}:${block.line}: ${block.skip}`);
    for (const line of serverReports) console.log(`ran ${line}`);
    console.log(`without @types/node: ${portable.length} entries compile (${portable.map((entry) => entry.specifier).join(', ')}); need it: ${entries.filter((entry) => entry.nodeTypes).map((entry) => entry.specifier).join(', ')}`);
  } finally {
    if (keep) console.log(`kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (failures.length > 0) {
  console.error(`\ndocs check FAILED (${failures.length}):`);
  for (const message of failures) console.error(`\n- ${message}`);
  process.exit(1);
}
console.log('docs check passed');
