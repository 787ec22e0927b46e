/** SMS over SMPP 3.4: the transport behind alarm-core's SmsTransport port, and its codecs. */
export * from './address.js';
export * from './encode.js';
export * from './gsm7.js';
export { decodeText, readDeliverSm, Reassembler, SmppInboundError, type Inbound } from './inbound.js';
export { pdu, smpp, statusName, STATUS, type Pdu, type SmppSession } from './smpp-lib.js';
export * from './transport.js';
