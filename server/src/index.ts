/** @trygg/server: the composition root. */
export * from './config.js';
export * from './trygg.js';
