/** @trygg/simulators: device and people simulators, load generators, benchmarks. */
export * from './municipality.js';
export * from './scaip/unit.js';
export * from './scaip/player.js';
export * from './push-service/index.js';
