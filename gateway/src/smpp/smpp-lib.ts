/**
 * Typed door to the `smpp` package (farhadi/node-smpp): its PDU codec and its session over TCP
 * or TLS. The package ships CommonJS without types; the shapes below are what it produces.
 *
 * One change to how it reads: the package decodes short_message and message_payload into text
 * on arrival with its own GSM table, which turns every octet it cannot read into a space. Trygg
 * must see the octets to check them (a bad encoding from the gateway is logged with a code, not
 * read as spaces), so `rawMessages()` makes both arrive as the Buffer they were on the wire. It
 * changes the package's shared decoder for the whole process (the package has no per-session
 * switch), which is why the SMSC simulator does the same: both read octets.
 */
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';

const require = createRequire(import.meta.url);

/** A PDU as the package builds and parses it: header fields, mandatory parameters, TLVs by name. */
export interface Pdu {
  command: string;
  command_id: number;
  command_status: number;
  sequence_number: number;
  isResponse(): boolean;
  response(options?: Record<string, unknown>): Pdu;
  [field: string]: unknown;
}

export interface SmppSession {
  send(pdu: Pdu, onResponse?: (resp: Pdu) => void, onSent?: (pdu: Pdu) => void): boolean;
  close(cb?: () => void): void;
  destroy(cb?: () => void): void;
  pause(): void;
  resume(): void;
  on(event: 'connect' | 'secureConnect' | 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: string, listener: (pdu: Pdu) => void): this;
  removeAllListeners(): this;
  socket: Socket;
}

export interface SmppServer extends Server {
  sessions: SmppSession[];
}

interface SmppModule {
  connect(options: Record<string, unknown>): SmppSession;
  createServer(options: Record<string, unknown>, onSession: (s: SmppSession) => void): SmppServer;
  PDU: (new (command: string, options?: Record<string, unknown>) => Pdu) & { maxLength: number };
  errors: Record<string, number>;
  filters: { message: { decode: (value: unknown, skipUdh?: boolean) => unknown } };
}

export const smpp = require('smpp') as SmppModule;

/** Command status values by name (SMPP 3.4 §5.1.3). */
export const STATUS = smpp.errors;

const statusNames = new Map(Object.entries(smpp.errors).map(([name, value]) => [value, name]));
/** `ESME_RTHROTTLED`, or `0x…` for a status the table lacks. */
export function statusName(status: number): string {
  return statusNames.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/** Builds a PDU. */
export function pdu(command: string, fields: Record<string, unknown> = {}): Pdu {
  return new smpp.PDU(command, fields);
}

let raw = false;
/** short_message and message_payload arrive as octets (see the header); idempotent. */
export function rawMessages(): void {
  if (raw) return;
  raw = true;
  smpp.filters.message.decode = (value) => value;
}
rawMessages();
