/**
 * The device inbox: the one door every device event comes through, MQTT or SCAIP. `accept`
 * resolves only after the event row is committed, so the caller may then acknowledge the
 * device. The same (device, id) twice is stored once.
 *
 * The way in is the engine's `take`: the event is stored and applied in one transaction, so the
 * device's acknowledgement and the operators' screens wait for one commit, not two. Concurrent
 * accepts share that transaction (group commit), each caller resolved when the batch that
 * carried its event committed. Should taking fail (the engine stopping, a step that throws), the
 * event is only stored, batched the same way, and the engine applies it afterwards (its sweep
 * retries what fails).
 */
import type { DeviceEvent } from '../contracts/device-event.js';
import { EVENT_TYPES, type DeviceEventType } from '../contracts/vocabulary.js';
import { GroupCommit, type GroupCommitOptions } from '../db/group-commit.js';
import { commitRelaxed, type Pool, type Prepared } from '../db/pool.js';
import type { Logger } from '../ports.js';
import type { AcceptResult } from './apply.js';
import type { AlarmEngine } from './engine.js';

export type { AcceptResult } from './apply.js';

/** A heartbeat, stored as applied, and its device's `last_seen_at`. */
const RECORD_HEARTBEAT: Prepared = {
  name: 'trygg_inbox_record',
  text: `WITH seen AS (UPDATE devices SET last_seen_at = now() WHERE id = $1)
       INSERT INTO device_events (device_id, event_id, type, ts, payload, processed_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (device_id, event_id) DO NOTHING`,
};

interface Row {
  deviceId: string;
  event: DeviceEvent;
}

export class Inbox {
  private readonly taking: GroupCommit<Row, AcceptResult>;
  private readonly batches: GroupCommit<Row, AcceptResult>;

  constructor(
    private readonly pool: Pool,
    private readonly engine: AlarmEngine,
    private readonly logger: Logger,
    groupCommit: GroupCommitOptions = {},
  ) {
    this.taking = new GroupCommit((rows) => this.engine.take(rows), groupCommit);
    this.batches = new GroupCommit((rows) => this.write(rows), groupCommit);
  }

  async accept(deviceId: string, event: DeviceEvent): Promise<AcceptResult> {
    return (await this.store(deviceId, event)).result;
  }

  /**
   * Stores a heartbeat as already applied, without the engine: it changes no alarm, and all
   * supervision needs is `last_seen_at`, set in the same statement. For protocols whose reply to
   * the device is not the engine's feedback (SCAIP answers with `<mrs>`).
   *
   * Committed without waiting for the WAL to reach the disk (`synchronous_commit = off` for this
   * transaction only): a heartbeat's one effect is "heard from at T", and a database crash can
   * forget at most the last fraction of a second of them (until the WAL writer's next flush, or
   * the next durable commit, which flushes everything before it), which the unit's next heartbeat
   * restores. Measured under SIPp load, 475 heartbeats/s each waiting for its own WAL flush made
   * the disk's flush queue the alarms' queue too: alarms waited tens of milliseconds behind them.
   * Everything else — alarms, cancels, every MQTT event — waits for the flush before the device
   * is answered. One transaction per heartbeat, not a shared batch: PostgreSQL overlaps them.
   */
  async record(deviceId: string, event: DeviceEvent): Promise<AcceptResult> {
    if (EVENT_TYPES[event.type].kind !== 'heartbeat') throw new Error(`only heartbeats are recorded, not ${event.type}`);
    const { rowCount } = await commitRelaxed(this.pool, RECORD_HEARTBEAT, [
      deviceId,
      event.id,
      event.type,
      event.ts,
      JSON.stringify(event),
    ]);
    return rowCount === 1 ? 'stored' : 'duplicate';
  }

  /**
   * An event of this type from this device is on its way (its protocol has a round trip to make
   * first): what applying it will need is fetched now.
   */
  expect(deviceId: string, type: DeviceEventType): void {
    this.engine.expect(deviceId, type);
  }

  /** Stores, then waits until the engine has applied the event (benchmarks, tools). */
  async acceptAndApply(deviceId: string, event: DeviceEvent): Promise<AcceptResult> {
    const { result, applied } = await this.store(deviceId, event);
    await applied;
    return result;
  }

  private async store(deviceId: string, event: DeviceEvent): Promise<{ result: AcceptResult; applied: Promise<void> }> {
    this.engine.expect(deviceId, event.type);
    try {
      return { result: await this.taking.submit({ deviceId, event }), applied: Promise.resolve() };
    } catch (err) {
      this.logger.warn({ err, deviceId, eventId: event.id }, 'taking the event failed; storing it for the engine to apply');
      return this.storeOnly(deviceId, event);
    }
  }

  /** Stores the event (batched), then hands it to the engine. */
  private async storeOnly(deviceId: string, event: DeviceEvent): Promise<{ result: AcceptResult; applied: Promise<void> }> {
    const result = await this.batches.submit({ deviceId, event });
    // Applied asynchronously; a failure here is picked up by the engine's sweep. A duplicate may
    // differ from what was stored first, so only a fresh event is handed over as it is.
    const stored = result === 'stored' ? event : undefined;
    const applied = this.engine.submitDeviceEvent(deviceId, event.id, stored).catch((err: unknown) => {
      this.logger.warn({ err, deviceId, eventId: event.id }, 'event stored, apply deferred to the sweep');
    });
    return { result, applied };
  }

  private async write(rows: Row[]): Promise<AcceptResult[]> {
    // Rows go in key order so two writers (two nodes) lock index entries in the same order.
    const order = rows.map((r, i) => ({ r, i })).sort((a, b) => compare(a.r, b.r));
    const devices = [...new Set(order.map(({ r }) => r.deviceId))];
    const { rows: inserted } = await this.pool.query<{ device_id: string; event_id: string }>({
      name: 'trygg-inbox-write',
      text: `WITH seen AS (
         UPDATE devices SET last_seen_at = now()
          WHERE id IN (SELECT id FROM devices WHERE id = ANY($6::text[]) ORDER BY id FOR UPDATE)
       )
       INSERT INTO device_events (device_id, event_id, type, ts, payload)
       SELECT device_id, event_id, type, ts, payload
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY
         AS u(device_id, event_id, type, ts, payload, n)
        ORDER BY n
       ON CONFLICT (device_id, event_id) DO NOTHING
       RETURNING device_id, event_id`,
      values: [
        order.map(({ r }) => r.deviceId),
        order.map(({ r }) => r.event.id),
        order.map(({ r }) => r.event.type),
        order.map(({ r }) => r.event.ts),
        order.map(({ r }) => JSON.stringify(r.event)),
        devices,
      ],
    });
    // A key inserted now is "stored" for its first caller in the batch; any other copy is a duplicate.
    const fresh = new Set(inserted.map((r) => `${r.device_id}\u0000${r.event_id}`));
    return rows.map((r) => (fresh.delete(`${r.deviceId}\u0000${r.event.id}`) ? 'stored' : 'duplicate'));
  }
}

function compare(a: Row, b: Row): number {
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0;
}
