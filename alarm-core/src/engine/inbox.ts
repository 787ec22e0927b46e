/**
 * The device inbox: the one door every device event comes through, MQTT or SCAIP. `accept`
 * resolves only after the event row is committed, so the caller may then acknowledge the
 * device. The same (device, id) twice is stored once.
 */
import type { DeviceEvent } from '../contracts/device-event.js';
import { EVENT_TYPES } from '../contracts/vocabulary.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../ports.js';
import type { AlarmEngine } from './engine.js';

export type AcceptResult = 'stored' | 'duplicate';

export class Inbox {
  constructor(
    private readonly pool: Pool,
    private readonly engine: AlarmEngine,
    private readonly logger: Logger,
  ) {}

  async accept(deviceId: string, event: DeviceEvent): Promise<AcceptResult> {
    return (await this.store(deviceId, event)).result;
  }

  /**
   * Stores a heartbeat as already applied, without the engine: it changes no alarm, and all
   * supervision needs is `last_seen_at`, set in the same statement. For protocols whose reply to
   * the device is not the engine's feedback (SCAIP answers with `<mrs>`).
   */
  async record(deviceId: string, event: DeviceEvent): Promise<AcceptResult> {
    if (EVENT_TYPES[event.type].kind !== 'heartbeat') throw new Error(`only heartbeats are recorded, not ${event.type}`);
    const { rowCount } = await this.pool.query(
      `WITH seen AS (UPDATE devices SET last_seen_at = now() WHERE id = $1)
       INSERT INTO device_events (device_id, event_id, type, ts, payload, processed_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (device_id, event_id) DO NOTHING`,
      [deviceId, event.id, event.type, event.ts, event],
    );
    return rowCount === 1 ? 'stored' : 'duplicate';
  }

  /** Stores, then waits until the engine has applied the event (benchmarks, tools). */
  async acceptAndApply(deviceId: string, event: DeviceEvent): Promise<AcceptResult> {
    const { result, applied } = await this.store(deviceId, event);
    await applied;
    return result;
  }

  private async store(deviceId: string, event: DeviceEvent): Promise<{ result: AcceptResult; applied: Promise<void> }> {
    const { rowCount } = await this.pool.query(
      `WITH seen AS (UPDATE devices SET last_seen_at = now() WHERE id = $1)
       INSERT INTO device_events (device_id, event_id, type, ts, payload)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (device_id, event_id) DO NOTHING`,
      [deviceId, event.id, event.type, event.ts, event],
    );
    // Applied asynchronously; a failure here is picked up by the engine's sweep.
    const applied = this.engine.submitDeviceEvent(deviceId, event.id).catch((err: unknown) => {
      this.logger.warn({ err, deviceId, eventId: event.id }, 'event stored, apply deferred to the sweep');
    });
    return { result: rowCount === 1 ? 'stored' : 'duplicate', applied };
  }
}
