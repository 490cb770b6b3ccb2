import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

// The shape DESIGN.md asks of src/: adapters and stores import only public entries, no import
// circle (type-only imports included), no file over 300 lines.
const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');
const MAX_LINES = 300;
/** Folders whose modules are adapters or stores: they may reach the rest of src/ only through public entries. */
const CONSUMERS = ['src/express/', 'src/express-session/', 'src/fetch/', 'src/hono/', 'src/next/', 'src/fastify/', 'src/koa/', 'src/stores/', 'src/csrf/', 'src/dbsc/'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

/** The source files behind the package's `exports` (dist/x.js -> src/x.ts). */
function publicEntries(): Set<string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { default?: string }> };
  const entries = new Set<string>();
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'object' && target.default?.startsWith('./dist/')) entries.add(target.default.replace('./dist/', 'src/').replace(/\.js$/, '.ts'));
  }
  return entries;
}

/** Every relative module a file imports, type-only and dynamic imports included, as paths from the root. */
export function importsOf(file: string, text = readFileSync(join(root, file), 'utf8')): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts'));
}

/** The import circles of a graph (each as the files on it), by depth-first search. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

const files = walk(src);
const sources = files.filter((f) => !f.endsWith('.test.ts'));

describe('architecture of src/', () => {
  it('adapters and stores import only public entries of the rest of src/', () => {
    const entries = publicEntries();
    const offending: string[] = [];
    for (const file of files) {
      const home = CONSUMERS.find((folder) => file.startsWith(folder));
      if (home === undefined) continue;
      for (const target of importsOf(file)) {
        if (!target.startsWith('src/') || target.startsWith(home) || entries.has(target)) continue;
        offending.push(`${file} -> ${target}`);
      }
    }
    assert.deepEqual(offending, [], 'import the public entry (src/index.ts, src/adapter/index.ts, ...) instead');
  });

  it('src/ has no import circle, type-only imports included', () => {
    const graph = new Map(sources.map((file) => [file, importsOf(file).filter((target) => target.startsWith('src/'))]));
    assert.deepEqual(findCycles(graph).map((cycle) => cycle.join(' -> ')), []);
  });

  it(`no file in src/ is over ${MAX_LINES} lines`, () => {
    const long = files.map((file) => [file, readFileSync(join(root, file), 'utf8').split('\n').length - 1] as const).filter(([, lines]) => lines > MAX_LINES);
    assert.deepEqual(long.map(([file, lines]) => `${file}: ${lines} lines`), []);
  });

  it('the checks themselves see what they look for', () => {
    assert.deepEqual(importsOf('src/a/x.ts', "import type { A } from './y.js';\nexport { b } from '../b/z.js';\nconst c = await import('./w.js');"), ['src/a/y.ts', 'src/b/z.ts', 'src/a/w.ts']);
    assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c', 'a']]);
    assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', []], ['c', ['b']]])), []);
  });
});
