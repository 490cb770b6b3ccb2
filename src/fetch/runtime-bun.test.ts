// The Fetch adapter and the Hono middleware on Bun: the conformance suite runs here, in Node,
// against the app served by Bun's own server, its manager made inside Bun from the suite's
// options (test/support/runtimes.ts).
import { runtimeConformance } from '../../test/support/runtimes.js';

runtimeConformance('bun');
