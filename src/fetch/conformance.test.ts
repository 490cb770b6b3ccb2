import { runAdapterConformance } from '../testing/index.js';
import { serveOnNode } from '../../test/support/runtimes.js';
import { withSession } from './index.js';
import { conformanceResponse } from './test-setup.js';

runAdapterConformance('Fetch (withSession) on Node', {
  start: (manager) => serveOnNode(withSession(manager, (request, session) => conformanceResponse(session, request), { onError: () => undefined })),
});
