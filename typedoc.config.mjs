// The API reference in docs/api (markdown, committed): `npm run docs:api` writes it, and
// `npm run check:api` (a CI step) fails when an export has no doc comment or docs/api is not
// what the sources give. One page per package entry; the entries are package.json "exports"
// (scripts/entries.mjs), so a new entry is documented as soon as it is exported.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageEntries } from './scripts/entries.mjs';

const root = dirname(fileURLToPath(import.meta.url));

/** @type {Partial<import('typedoc').TypeDocOptions & import('typedoc-plugin-markdown').PluginOptions>} */
const config = {
  entryPoints: packageEntries(root).map((entry) => entry.source),
  tsconfig: 'tsconfig.build.json',
  plugin: ['typedoc-plugin-markdown', './scripts/typedoc-entry-names.mjs'],
  out: 'docs/api',
  readme: 'none',
  name: 'tessera-session API',
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  // No "Defined in" links: they would name a commit and change with every one.
  disableSources: true,
  sort: ['source-order'],
  // The pages in package.json's order, the root first.
  sortEntryPoints: false,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  // Express's own global request type, which the drop-in's req.session type inspects: not ours to document.
  intentionallyNotExported: ['__global.Express.Request'],
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  // typedoc-plugin-markdown: one page per entry, readable on GitHub.
  outputFileStrategy: 'modules',
  entryFileName: 'README.md',
  hidePageHeader: true,
  hideBreadcrumbs: true,
  useCodeBlocks: true,
  parametersFormat: 'table',
  interfacePropertiesFormat: 'table',
  classPropertiesFormat: 'table',
  typeAliasPropertiesFormat: 'table',
  enumMembersFormat: 'table',
  propertyMembersFormat: 'table',
};

export default config;
