/** @trygg/alarm-core: contracts, the alarm state machine, the engine, database access. */
export * from './contracts/index.js';
export * from './errors.js';
export * from './ports.js';
export * from './db/index.js';
export * from './engine/index.js';
export * from './escalation/index.js';
export * from './people/index.js';
export * from './statistics/index.js';
export * from './journal/index.js';
export * from './audit/balp.js';
