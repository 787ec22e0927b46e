/** Contracts: the schema of every message that crosses a boundary. Types derive from them. */
export * from './vocabulary.js';
export * from './device-event.js';
export * from './device-input.js';
export * from './escalation.js';
export * from './alarm.js';
export * from './rules.js';
export * from './commands.js';
export * from './live.js';
export * from './topics.js';
export * from './auth.js';
export * from './journal.js';
export * from './registry.js';
export * from './push.js';
export * from './telemetry.js';
export * from './reach.js';
export * from './api/index.js';
export * from './deliveries.js';
