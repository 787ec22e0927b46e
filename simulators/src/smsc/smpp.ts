/**
 * The simulator's own typed door to the `smpp` package (server and client sessions), kept apart
 * from the gateway's so the SMSC checks what Trygg sends with code Trygg's transport does not
 * share. Like the gateway, it reads short_message as the octets on the wire (the package would
 * otherwise turn octets it cannot decode into spaces, hiding exactly what the SMSC must refuse).
 */
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';

const require = createRequire(import.meta.url);

export interface Pdu {
  command: string;
  command_status: number;
  sequence_number: number;
  isResponse(): boolean;
  response(options?: Record<string, unknown>): Pdu;
  [field: string]: unknown;
}

export interface Session {
  send(pdu: Pdu, onResponse?: (resp: Pdu) => void, onSent?: (pdu: Pdu) => void): boolean;
  close(cb?: () => void): void;
  destroy(cb?: () => void): void;
  on(event: 'connect' | 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: string, listener: (pdu: Pdu) => void): this;
  socket: Socket;
}

export interface SmppServer extends Server {
  sessions: Session[];
}

interface SmppModule {
  connect(options: Record<string, unknown>): Session;
  createServer(options: Record<string, unknown>, onSession: (s: Session) => void): SmppServer;
  PDU: new (command: string, options?: Record<string, unknown>) => Pdu;
  errors: Record<string, number>;
  filters: { message: { decode: (value: unknown) => unknown } };
}

export const smpp = require('smpp') as SmppModule;
smpp.filters.message.decode = (value) => value;

export const ESME = smpp.errors;
export const pdu = (command: string, fields: Record<string, unknown> = {}): Pdu => new smpp.PDU(command, fields);
