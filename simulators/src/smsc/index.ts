/** The local SMSC (SMPP 3.4 server) and the simulated phones that use it. */
export * from './smsc.js';
export { decodeGsm, decodeUtf16be, encodeGsm } from './gsm.js';
export * from './phones.js';
