/** @trygg/server: the composition root. */
export * from './config.js';
export * from './trygg.js';
export { ACTIONS, SCOPES, can, type Action } from './auth/policy.js';
export type { GuardedRoute } from './plugins/auth.js';
export { ChainSelfTest } from './chain/self-test.js';
