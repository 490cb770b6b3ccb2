// The `tessera-session` entry: the core API.
export * from './core/index.js';
