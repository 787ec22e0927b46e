/**
 * The smsChannel part: no channel without an SMS gateway; with one, a channel that takes the
 * gateway's replies from start to stop (on a real PostgreSQL).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@trygg/alarm-core';
import { createTestDatabase, type TestDatabase } from '../../../test/support/db.js';
import { TestSmsTransport } from '../../../test/support/sms-transport.js';
import { DEFAULTS } from '../config.js';
import { HealthRegistry } from '../health/registry.js';
import type { PartContext, Parts } from './part.js';
import { smsChannel } from './sms-channel.js';

const logger = pino({ level: 'silent' });
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 2, 'sms-part-test');
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

function context(running: Partial<Parts>): PartContext {
  const find = <K extends keyof Parts>(name: K) => running[name] ?? null;
  return {
    config: { ...DEFAULTS, defaultLanguage: 'sv', phoneRegion: 'SE' },
    logger,
    options: {},
    health: new HealthRegistry(),
    find,
    get: (name) => {
      const part = find(name);
      if (!part) throw new Error(`part ${name} is not running`);
      return part;
    },
  };
}

const outcomes = async () =>
  (await pool.query<{ outcome: string }>('SELECT outcome FROM sms_replies')).rows.map((r) => r.outcome);

describe('smsChannel part', () => {
  it('offers no channel when no SMS gateway runs', async () => {
    const part = await smsChannel.start(context({}));
    expect(part.channel).toBeNull();
    await part.stop();
  });

  it('offers the channel over the gateway and takes its replies until it stops', async () => {
    const transport = new TestSmsTransport();
    const database = { pool } as unknown as Parts['database'];
    const part = await smsChannel.start(context({ sms: { transport }, database }));
    expect(part.channel?.kind).toBe('sms');
    transport.reply('+46701234567', 'ja');
    await expect.poll(outcomes).toEqual(['not-alerted']);
    expect(transport.listening).toBe(1);
    await part.stop();
    // Stopped: nobody listens, so a reply now is left with the gateway (events are handed on synchronously).
    expect(transport.listening).toBe(0);
    transport.reply('+46701234568', 'ja');
    expect(await outcomes()).toEqual(['not-alerted']);
    expect(transport.submitted).toEqual([]);
  });
});
