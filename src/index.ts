// The `tessera` entry: the core API.
export * from './core/index.js';
