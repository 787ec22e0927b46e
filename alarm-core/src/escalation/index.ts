export * from './defaults.js';
export * from './policies.js';
