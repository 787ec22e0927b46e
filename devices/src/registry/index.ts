/** The registry: people, places and devices, their installations and verified tests. */
export * from './db-errors.js';
export * from './residents.js';
export * from './relatives.js';
export * from './sites.js';
export * from './staff.js';
export * from './credentials.js';
export * from './devices.js';
export * from './installations.js';
export * from './installation-tests.js';
export * from './test-watcher.js';
export * from './telemetry-series.js';
export * from './csv-import.js';
export * from './csv-text.js';
export * from './duty.js';
export * from './selftest-devices.js';
export * from './supervision-quality.js';
export * from './user-tests.js';
