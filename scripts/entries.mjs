// The package's entries, for the docs check (scripts/check-docs.mjs) and the API reference
// (typedoc.config.mjs). The one list is package.json "exports": add an entry there and it is
// documented and checked. Its source is found from its "types" path (./dist/x/y.d.ts is
// src/x/y.ts). An entry whose public types need @types/node (it takes node:http requests, say)
// is named in NODE_TYPES_ENTRIES too, and the README says so; every other entry must compile in a
// project without Node's types, which the docs check proves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Entries whose declarations use Node's types (node:http requests and responses). */
export const NODE_TYPES_ENTRIES = ['tessera-session/express', 'tessera-session/express-session', 'tessera-session/fastify', 'tessera-session/koa'];

/**
 * Every entry of package.json "exports" but ./package.json, in its order:
 * `{ specifier, subpath, types, source, nodeTypes }`, with `types` (the .d.ts in dist) and
 * `source` (the .ts in src) relative to `root`.
 */
export function packageEntries(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (subpath === './package.json') continue;
    const types = typeof target === 'object' && target !== null ? target.types : undefined;
    const match = typeof types === 'string' ? /^\.\/dist\/(.+)\.d\.ts$/.exec(types) : null;
    if (match === null) throw new Error(`package.json exports["${subpath}"] needs "types": "./dist/<path>.d.ts", got ${JSON.stringify(types)}`);
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    entries.push({ specifier, subpath, types: `dist/${match[1]}.d.ts`, source: `src/${match[1]}.ts`, nodeTypes: NODE_TYPES_ENTRIES.includes(specifier) });
  }
  for (const name of NODE_TYPES_ENTRIES) {
    if (!entries.some((entry) => entry.specifier === name)) throw new Error(`scripts/entries.mjs names ${name} in NODE_TYPES_ENTRIES, but package.json exports has no such entry`);
  }
  return entries;
}
