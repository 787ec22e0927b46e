/** @trygg/simulators: device and people simulators, load generators, the local push service. */
export * from './municipality.js';
export * from './scaip/unit.js';
export * from './scaip/player.js';
export * from './push-service/index.js';
export * from './smsc/index.js';
export { sip, type SipMessage } from './scaip/sip.js';
