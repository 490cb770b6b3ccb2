// The `tessera-session/dbsc` entry: Device Bound Session Credentials endpoints (see docs/device-bound-sessions.md).
export type { DbscEndpointOptions, DbscEndpoints } from './endpoints.js';
export { createDbscEndpoints } from './endpoints.js';
export type { SkippedRefresh } from './headers.js';
export { parseSkipped, readStringItem, sfString } from './headers.js';
export type { NodeRequestLike, NodeResponseLike } from './node.js';
export { nodeDbscMiddleware, webRequestOf } from './node.js';
export type { ProofFailure, VerifiedProof } from './proof.js';
export { verifyRefreshProof, verifyRegistrationProof } from './proof.js';
