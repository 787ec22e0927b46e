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
import type { Alarm } from '../contracts/alarm.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import { EVENT_TYPES, type DeviceEventType } from '../contracts/vocabulary.js';
import { GroupCommit, type GroupCommitOptions } from '../db/group-commit.js';
import { commitRelaxed, type Pool, type Prepared } from '../db/pool.js';
import type { Logger } from '../ports.js';
import { isDataError, TryggError } from '../errors.js';
import type { AcceptResult, TakeOutcome } from './apply.js';
import { SAME_EVENT } from './store.js';
import type { AlarmEngine } from './engine.js';

export type { AcceptResult, TakeOutcome } from './apply.js';

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

/** The alarm an event opened or joined ($1 device, $2 event id), with whether the engine has applied it. */
const ALARM_OF_EVENT: Prepared = {
  name: 'trygg_inbox_alarm_of_event',
  text: `SELECT e.processed_at, a.id, a.state
           FROM device_events e
           LEFT JOIN LATERAL (
             SELECT a.id, a.state FROM alarms a
              WHERE a.device_id = e.device_id AND a.opened_at >= e.received_at - interval '1 day'
                AND EXISTS (SELECT 1 FROM alarm_timeline t
                             WHERE t.alarm_id = a.id AND t.kind IN ('opened', 'event-joined')
                               AND t.data->>'eventId' = e.event_id)
              ORDER BY a.opened_at DESC LIMIT 1) a ON true
          WHERE e.device_id = $1 AND e.event_id = $2`,
};

export class Inbox {
  private readonly taking: GroupCommit<Row, TakeOutcome>;
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
    return (await this.store(deviceId, event)).outcome.result;
  }

  /**
   * As `accept`, with the alarm the event opened or joined as it stands after the commit, where
   * the engine applied it in the same transaction (SCAIP answers hold or handled from it).
   */
  async acceptWithOutcome(deviceId: string, event: DeviceEvent): Promise<TakeOutcome> {
    return (await this.store(deviceId, event)).outcome;
  }

  /**
   * Where the alarm an event stored before stands now, for a sender that asks again about the
   * same event (a SCAIP unit polling with the same ref): `undefined` while the engine has not
   * applied the event yet, `null` when it touched no alarm, else the alarm as `acceptWithOutcome`
   * gives it.
   */
  async alarmOf(deviceId: string, eventId: string): Promise<TakeOutcome['alarm']> {
    const { rows } = await this.pool.query<{ processed_at: Date | null; id: string | null; state: Alarm['state'] | null }>(
      ALARM_OF_EVENT,
      [deviceId, eventId],
    );
    const r = rows[0];
    if (!r || r.processed_at === null) return undefined;
    return r.id === null || r.state === null ? null : { id: r.id, state: r.state };
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
    try {
      const { rowCount } = await commitRelaxed(this.pool, RECORD_HEARTBEAT, [
        deviceId,
        event.id,
        event.type,
        event.ts,
        JSON.stringify(event),
      ]);
      return rowCount === 1 ? 'stored' : 'duplicate';
    } catch (err) {
      throw isDataError(err) ? dataError(deviceId, event, err) : err;
    }
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
    const { outcome, applied } = await this.store(deviceId, event);
    await applied;
    return outcome.result;
  }

  private async store(deviceId: string, event: DeviceEvent): Promise<{ outcome: TakeOutcome; applied: Promise<void> }> {
    this.engine.expect(deviceId, event.type);
    try {
      return { outcome: await this.taking.submit({ deviceId, event }), applied: Promise.resolve() };
    } catch (err) {
      if (isDataError(err)) throw dataError(deviceId, event, err);
      this.logger.warn({ err, deviceId, eventId: event.id }, 'taking the event failed; storing it for the engine to apply');
      try {
        return await this.storeOnly(deviceId, event);
      } catch (again) {
        throw isDataError(again) ? dataError(deviceId, event, again) : again;
      }
    }
  }

  /** Stores the event (batched), then hands it to the engine. */
  private async storeOnly(deviceId: string, event: DeviceEvent): Promise<{ outcome: TakeOutcome; applied: Promise<void> }> {
    const result = await this.batches.submit({ deviceId, event });
    // Applied asynchronously; a failure here is picked up by the engine's sweep. A duplicate may
    // differ from what was stored first, so only a fresh event is handed over as it is.
    const stored = result === 'stored' ? event : undefined;
    const applied = this.engine.submitDeviceEvent(deviceId, event.id, stored).catch((err: unknown) => {
      this.logger.warn({ err, deviceId, eventId: event.id }, 'event stored, apply deferred to the sweep');
    });
    return { outcome: { result }, applied };
  }

  private async write(rows: Row[]): Promise<AcceptResult[]> {
    // Rows go in key order so two writers (two nodes) lock index entries in the same order.
    const order = rows.map((r, i) => ({ r, i })).sort((a, b) => compare(a.r, b.r));
    const devices = [...new Set(order.map(({ r }) => r.deviceId))];
    const { rows: inserted } = await this.pool.query<{ what: 'took' | 'reused'; device_id: string; event_id: string }>({
      name: 'trygg-inbox-write',
      text: `WITH seen AS (
         UPDATE devices SET last_seen_at = now()
          WHERE id IN (SELECT id FROM devices WHERE id = ANY($6::text[]) ORDER BY id FOR UPDATE)
       ),
       input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY
           AS u(device_id, event_id, type, ts, payload, n)),
       took AS (
         INSERT INTO device_events (device_id, event_id, type, ts, payload)
         SELECT device_id, event_id, type, ts, payload FROM input ORDER BY n
         ON CONFLICT (device_id, event_id) DO NOTHING
         RETURNING device_id, event_id),
       reused AS (
         SELECT i.device_id, i.event_id FROM input i JOIN device_events e USING (device_id, event_id)
          WHERE NOT (${SAME_EVENT}))
       SELECT 'took' AS what, device_id, event_id FROM took
       UNION ALL
       SELECT 'reused', device_id, event_id FROM reused`,
      values: [
        order.map(({ r }) => r.deviceId),
        order.map(({ r }) => r.event.id),
        order.map(({ r }) => r.event.type),
        order.map(({ r }) => r.event.ts),
        order.map(({ r }) => JSON.stringify(r.event)),
        devices,
      ],
    });
    // A key inserted now is "stored" for its first caller in the batch; any other copy is a
    // duplicate, or a reuse when what was stored under its id says something else.
    const key = (deviceId: string, eventId: string) => `${deviceId}\u0000${eventId}`;
    const fresh = new Set(inserted.filter((r) => r.what === 'took').map((r) => key(r.device_id, r.event_id)));
    const reused = new Set(inserted.filter((r) => r.what === 'reused').map((r) => key(r.device_id, r.event_id)));
    return rows.map((r) => {
      const k = key(r.deviceId, r.event.id);
      if (fresh.delete(k)) return 'stored';
      return reused.has(k) ? 'reused' : 'duplicate';
    });
  }
}

/** A store refusal caused by the event's own data: the device's fault, never "try again". */
function dataError(deviceId: string, event: DeviceEvent, err: unknown): TryggError {
  // The database's own words stay in the log (the cause); the device hears the code.
  const sqlstate = String((err as { code?: unknown }).code);
  return new TryggError(
    'TRYGG_ERR_EVENT_DATA',
    `event ${event.id} of ${deviceId} holds a value the store refuses (SQLSTATE ${sqlstate})`,
    {
      cause: err,
    },
  );
}

function compare(a: Row, b: Row): number {
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0;
}
