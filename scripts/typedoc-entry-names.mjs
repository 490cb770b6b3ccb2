// A local TypeDoc plugin (typedoc.config.mjs loads it): each page of the API reference is named
// after the package entry its module is, `tessera-session/express` rather than `express`, from
// the entry list in package.json "exports" (scripts/entries.mjs).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Converter, ReflectionKind } from 'typedoc';
import { packageEntries } from './entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** TypeDoc's name for the module of `src/x/index.ts` is `x`, of `src/x/y.ts` `x/y`, of `src/index.ts` `index`. */
const typedocName = (source) => source.replace(/^src\//, '').replace(/\/index\.ts$|\.ts$/, '');

export function load(app) {
  const entries = packageEntries(root);
  const names = new Map(entries.map((entry) => [typedocName(entry.source), entry.specifier]));
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const name = names.get(module.name);
      if (name !== undefined) module.name = name;
    }
  });
}
