/**
 * A PostgreSQL LISTEN that stays up: its own connection, re-established two seconds after it is
 * lost (and `onLost` told, so the owner can assume it missed notices). The directory cache and
 * the installation-test watcher each keep one.
 */
import pg from 'pg';
import type { Logger } from '@trygg/alarm-core';

export interface NotifyListenerOptions {
  databaseUrl: string;
  channel: string;
  onNotice: (payload?: string) => void;
  /** The connection was lost: notices may have been missed until it is back. */
  onLost?: () => void;
  logger: Logger;
}

export class NotifyListener {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(private readonly opts: NotifyListenerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { databaseUrl, channel, logger } = this.opts;
    const client = new pg.Client({ connectionString: databaseUrl, application_name: `trygg-listen-${channel}` });
    client.on('notification', (msg) => this.opts.onNotice(msg.payload));
    client.on('error', (err) => {
      logger.warn({ err: err.message, channel }, 'LISTEN connection lost; reconnecting');
      this.opts.onLost?.();
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    this.client = null;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().catch(() => this.scheduleReconnect());
    }, 2_000);
    this.retry.unref();
  }
}
