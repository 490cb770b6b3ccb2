// The Fetch adapter and the Hono middleware on Deno: the conformance suite runs here, in Node,
// against the app served by Deno's own server, its manager made inside Deno from the suite's
// options (test/support/runtimes.ts).
import { runtimeConformance } from '../../test/support/runtimes.js';

runtimeConformance('deno');
