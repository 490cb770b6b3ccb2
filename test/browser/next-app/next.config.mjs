// The repository is the root Turbopack may read from (the app imports the package compiled into .tessera/).
import { fileURLToPath } from 'node:url';

export default {
  turbopack: { root: fileURLToPath(new URL('../../..', import.meta.url)) },
};
