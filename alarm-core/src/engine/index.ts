export * from './reducer.js';
export * from './engine.js';
export * from './inbox.js';
export * from './store.js';
export * from './outbox.js';
export * from './timers.js';
export * from './deliverer.js';
export * from './deliveries.js';
