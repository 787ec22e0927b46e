/** @trygg/gateway: device ingress over MQTT and SCAIP (SIP), normalised to DeviceEvent. */
export * from './external-consumer.js';
export * from './limits.js';
export * from './metrics.js';
export * from './mqtt-gateway.js';
export * from './parse-event.js';
export * from './parse-telemetry.js';
export * from './telemetry.js';
export * from './scaip/index.js';
export * from './telemetry-series.js';
export * from './connection-limit.js';
export * from './smpp/index.js';
