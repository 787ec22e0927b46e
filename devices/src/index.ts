/** @trygg/devices: the registry of people, places and devices; implements the Directory port. */
export * from './secrets.js';
export * from './device-auth.js';
export * from './directory.js';
export * from './directory-listener.js';
export * from './users.js';
export * from './demo.js';
export * from './national-id.js';
export * from './journal-patient.js';
export * from './api-clients.js';
export * from './scaip-units.js';
export * from './registry/index.js';
export * from './reach.js';
