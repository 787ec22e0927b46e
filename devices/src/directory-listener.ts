/**
 * Keeps a directory cache honest across nodes: LISTENs on `trygg_directory` (sent by triggers on
 * the registry tables) and invalidates on every notice. A lost connection invalidates too and is
 * re-established; while it is down the cache's TTL bounds staleness.
 */
import pg from 'pg';
import type { Logger } from '@trygg/alarm-core';

export class DirectoryListener {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    private readonly databaseUrl: string,
    private readonly onChange: (table?: string) => void,
    private readonly logger: Logger,
  ) {}

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
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'trygg-directory-listener' });
    client.on('notification', (msg) => this.onChange(msg.payload));
    client.on('error', (err) => {
      this.logger.warn({ err: err.message }, 'directory listener lost its connection; reconnecting');
      this.onChange();
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query('LISTEN trygg_directory');
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
