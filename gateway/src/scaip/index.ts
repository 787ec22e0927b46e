/** The SCAIP receiver's public surface. */
export * from './receiver.js';
export * from './mrq.js';
export * from './mrs.js';
export * from './mapping.js';
export * from './replies.js';
export * from './sessions.js';
export * from './registrar.js';
export * from './transport.js';
export { sip, digest, type SipMessage, type Flow } from './sip-lib.js';
export * from './answer.js';
