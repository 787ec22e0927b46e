/**
 * A ceiling on MQTT packet size at the transport. aedes buffers a whole packet before any hook
 * sees it, and MQTT allows 256 MB ([MQTT-2.2.3]), so a hostile client could make the broker hold
 * huge packets. This duplex sits between the socket and the broker, reads each packet's fixed
 * header (type byte, variable-length remaining length [MQTT-2.2.3]) as bytes pass, and closes
 * the connection the moment one announces more than the ceiling. Payloads under the ceiling but
 * over the protocol's 4 KiB are still refused politely by the publish hook, with feedback.
 * Being every connection's way in and out, it also hands the end of a connection to the broker
 * through `later` (the gateway's churn pacer, ./pacer.ts), and writes what the broker corks as
 * one write (mqtt-packet writes a packet in pieces: without `_writev` each was a system call).
 */
import { Duplex } from 'node:stream';
import type net from 'node:net';

/** Largest packet let through to the broker, bytes. */
export const MAX_PACKET_BYTES = 256 * 1024;

export class SizeGuard extends Duplex {
  private phase: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private remaining = 0;

  constructor(
    readonly socket: net.Socket,
    private readonly onOversize: (announced: number) => void,
    later: (task: () => void) => void = (task) => task(),
    private readonly max = MAX_PACKET_BYTES,
  ) {
    super();
    socket.on('data', (d: Buffer) => {
      if (!this.scan(d)) return;
      if (!this.push(d)) socket.pause();
    });
    // The device's end, in a slice: hand it to the broker and end our side too (what a socket
    // that is not half-open does by itself at once), so the socket closes when that is written.
    socket.on('end', () =>
      later(() => {
        this.push(null);
        socket.end();
      }),
    );
    socket.on('close', () => later(() => this.destroy()));
    socket.on('error', () => later(() => this.destroy()));
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.writable) this.socket.write(chunk, cb);
    else cb();
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    if (this.socket.writable) this.socket.write(Buffer.concat(chunks.map((c) => c.chunk)), cb);
    else cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  /** Walks packet boundaries; false (and the connection closed) when a packet is too large. */
  private scan(d: Buffer): boolean {
    let i = 0;
    while (i < d.length) {
      if (this.phase === 'body') {
        const skip = Math.min(this.remaining, d.length - i);
        this.remaining -= skip;
        i += skip;
        if (this.remaining === 0) this.phase = 'type';
        continue;
      }
      const byte = d[i++] as number;
      if (this.phase === 'type') {
        this.phase = 'length';
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80 && this.multiplier <= 128 ** 3) continue;
      if (this.length > this.max) {
        this.onOversize(this.length);
        this.socket.destroy();
        return false;
      }
      this.remaining = this.length;
      this.phase = this.remaining === 0 ? 'type' : 'body';
    }
    return true;
  }
}
