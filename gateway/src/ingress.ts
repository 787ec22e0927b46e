/**
 * One device message through the named steps every way in shares, so the rules cannot drift
 * between the embedded broker (hooks/authorize-publish.ts) and the external-broker consumer
 * (external-consumer.ts), after aedes' `publishActions`:
 *
 *   topic → budget → parse → clock → store
 *
 * Each step either passes the message on or ends it with a verdict. What the device then hears
 * (a PUBACK and its reason code, a DISCONNECT, an acknowledgement to the broker, `feedback`) is
 * the transport's to say: `answer` in each of them maps a verdict to its own wire. The one rule
 * that holds everywhere: `stored` and `written` come only after the commit; a verdict that is the
 * device's fault (`refuse`) is for good (acknowledge, never ask for the same bytes again); the
 * store being away (`unavailable`) is never acknowledged.
 */
import {
  DevicePresence,
  isDeviceFault,
  parseDeviceTopic,
  type AcceptResult,
  type DeviceChannel,
  type DeviceEvent,
  type ErrorCode,
  type Inbox,
  type TelemetrySample,
} from '@trygg/alarm-core';
import { Compile } from 'typebox/compile';
import type { TokenBuckets } from './limits.js';
import { parseDeviceEvent, type ParseNote } from './parse-event.js';
import { parseTelemetry } from './parse-telemetry.js';
import type { TelemetryWriter } from './telemetry.js';

const statusValidator = Compile(DevicePresence);

/** SQLSTATE 23503: the device is not in the registry (foreign key): it was removed, or the broker let in an id we do not know. */
const isUnknownDevice = (err: unknown) => (err as { code?: unknown } | null)?.code === '23503';

export interface IngressMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  /** The device that sent it, as its connection proved (embedded broker); null when the broker vouched (external mode). */
  client: string | null;
}

export type Verdict =
  /** An event committed (stored, or a copy of one stored before). */
  | { kind: 'stored'; deviceId: string; channel: 'events'; result: AcceptResult; event: DeviceEvent; notes: ParseNote[] }
  /** Telemetry: committed (`pending` null), or on its way in a batch nobody waits for (QoS 0). */
  | { kind: 'written'; deviceId: string; channel: 'telemetry'; pending: Promise<unknown> | null }
  /** A valid `status` (its own topic: the broker retains it). */
  | { kind: 'status'; deviceId: string; channel: 'status' }
  /** Not a device topic this gateway consumes (external mode): acknowledge and forget. */
  | { kind: 'ignored' }
  /** Outside the device's own prefix. */
  | { kind: 'forbidden'; deviceId: string | null }
  /** Over the device's message budget. */
  | { kind: 'over-budget'; deviceId: string; channel: DeviceChannel }
  /** The device's fault, for good: acknowledge, tell it, never ask for it again. */
  | {
      kind: 'refused';
      deviceId: string;
      channel: DeviceChannel;
      code: ErrorCode;
      detail: string;
      eventId?: string;
      notes: ParseNote[];
    }
  /** The store is away: not acknowledged, the device (or the broker) sends it again. */
  | { kind: 'unavailable'; deviceId: string; channel: DeviceChannel; err: unknown };

/** Where a verdict is told, whatever the wire: refusals and notes to the device's feedback and the log, counts, metrics. */
export interface VerdictReport {
  reject(deviceId: string, code: ErrorCode, detail: string, eventId?: string): void;
  count(what: string): void;
  events?: { inc(labels: { outcome: AcceptResult }): void } | null;
  warn(obj: object, msg: string): void;
}

/**
 * What every transport says of a verdict besides its own answer: a refusal and the notes the
 * parse step made (cleaned text) go back to the device; a stored event is counted, and a reused
 * id is told; QoS 0 telemetry that failed after the fact is counted and logged.
 */
export function report(v: Verdict, to: VerdictReport): void {
  switch (v.kind) {
    case 'refused':
      for (const note of v.notes) to.reject(v.deviceId, note.code, note.detail, v.eventId);
      to.reject(v.deviceId, v.code, v.detail, v.eventId);
      return;
    case 'stored':
      for (const note of v.notes) to.reject(v.deviceId, note.code, note.detail, v.event.id);
      to.count(`events.${v.result}`);
      to.events?.inc({ outcome: v.result });
      if (v.result === 'reused') {
        to.reject(v.deviceId, 'TRYGG_ERR_EVENT_ID_REUSED', `id ${v.event.id} was stored before with other content`, v.event.id);
      }
      return;
    case 'written':
      v.pending?.catch((err: unknown) => {
        to.count('TRYGG_ERR_STORE_UNAVAILABLE');
        to.warn({ code: 'TRYGG_ERR_STORE_UNAVAILABLE', deviceId: v.deviceId, err }, 'QoS 0 telemetry not stored');
      });
      return;
    default:
      return;
  }
}

export interface IngressDeps {
  inbox: Pick<Inbox, 'accept'>;
  telemetry: Pick<TelemetryWriter, 'write'>;
  /** Largest difference between a device's `ts` and Trygg's clock, seconds. */
  maxClockSkewS: number;
  /** The per-device message budget; absent when the broker keeps it (external mode). */
  rate?: Pick<TokenBuckets, 'take'> | null;
  now?: () => Date;
}

/** A message between steps: what the steps before have learnt of it. */
interface Work {
  msg: IngressMessage;
  deviceId: string;
  channel: DeviceChannel;
  event?: DeviceEvent;
  sample?: TelemetrySample;
  notes: ParseNote[];
}

type Step = (w: Work) => Verdict | undefined | Promise<Verdict | undefined>;

export class Ingress {
  /** The steps, in order, by name (logs and tests may name them). */
  readonly steps: readonly (readonly [string, Step])[];

  constructor(private readonly deps: IngressDeps) {
    this.steps = [
      ['budget', (w) => this.budget(w)],
      ['parse', (w) => this.parse(w)],
      ['clock', (w) => this.clock(w)],
      ['store', (w) => this.store(w)],
    ];
  }

  /** Runs a message through the steps; resolves with what became of it (never rejects). */
  async handle(msg: IngressMessage): Promise<Verdict> {
    const work = this.topic(msg);
    if ('kind' in work) return work;
    try {
      for (const [, step] of this.steps) {
        // Only the store step is asynchronous: the others are not awaited (a turn of the microtask
        // queue each, on every telemetry message).
        const next = step(work);
        const verdict = next instanceof Promise ? await next : next;
        if (verdict) return verdict;
      }
      throw new Error('ingress: a message passed every step without a verdict');
    } catch (err) {
      // A bug in a step: never acknowledged (the device sends it again), never a crash; the
      // answer step logs it as a store failure with this error.
      return { kind: 'unavailable', deviceId: work.deviceId, channel: work.channel, err };
    }
  }

  /** Whose message it is and on which channel: a device publishes only under its own prefix, never to `feedback`. */
  private topic(msg: IngressMessage): Work | Verdict {
    const target = parseDeviceTopic(msg.topic);
    if (msg.client === null) {
      // External mode: the broker enforced the ACL; topics we do not consume are not ours.
      if (!target || (target.channel !== 'events' && target.channel !== 'telemetry')) return { kind: 'ignored' };
    } else if (!target || target.deviceId !== msg.client || target.channel === 'feedback') {
      return { kind: 'forbidden', deviceId: msg.client };
    }
    return { msg, deviceId: target.deviceId, channel: target.channel, notes: [] };
  }

  /** The device's message budget (token bucket); the status topic and external mode have none here. */
  private budget(w: Work): Verdict | undefined {
    if (w.channel === 'status' || !this.deps.rate || this.deps.rate.take(w.deviceId)) return undefined;
    return { kind: 'over-budget', deviceId: w.deviceId, channel: w.channel };
  }

  /** Size, JSON, schema, and texts made storable; the status word. */
  private parse(w: Work): Verdict | undefined {
    const { deviceId, channel } = w;
    switch (channel) {
      case 'status':
        // The last will arrives here too, when the connection drops.
        return statusValidator.Check(w.msg.payload.toString('utf8'))
          ? { kind: 'status', deviceId, channel }
          : {
              kind: 'refused',
              deviceId,
              channel,
              code: 'TRYGG_ERR_SCHEMA',
              detail: 'status must be "online" or "offline"',
              notes: [],
            };
      case 'telemetry': {
        const parsed = parseTelemetry(w.msg.payload);
        if (!parsed.ok) return { kind: 'refused', deviceId, channel, code: parsed.code, detail: parsed.detail, notes: [] };
        w.sample = parsed.sample;
        return undefined;
      }
      case 'events': {
        const parsed = parseDeviceEvent(w.msg.payload, { now: this.now(), maxSkewS: this.deps.maxClockSkewS });
        if (!parsed.ok) {
          const refusal = { kind: 'refused' as const, deviceId, channel, code: parsed.code, detail: parsed.detail, notes: [] };
          return parsed.eventId === undefined ? refusal : { ...refusal, eventId: parsed.eventId };
        }
        w.event = parsed.event;
        w.notes.push(...parsed.notes);
        return undefined;
      }
      case 'feedback':
        return { kind: 'forbidden', deviceId };
    }
  }

  /**
   * A device's clock far off: telemetry is refused (a curve at the wrong time is worse than a
   * gap); an alarm is never refused for it (parse-event.ts stored Trygg's receive time).
   */
  private clock(w: Work): Verdict | undefined {
    if (!w.sample) return undefined;
    const skewS = Math.abs(Date.parse(w.sample.ts) - this.now().getTime()) / 1000;
    if (skewS <= this.deps.maxClockSkewS) return undefined;
    const detail = `ts ${w.sample.ts} is ${Math.round(skewS)} s off`;
    return { kind: 'refused', deviceId: w.deviceId, channel: w.channel, code: 'TRYGG_ERR_CLOCK_SKEW', detail, notes: [] };
  }

  /** Committed before any acknowledgement; QoS 0 telemetry joins a batch nobody waits for. */
  private async store(w: Work): Promise<Verdict> {
    const { deviceId, channel, notes } = w;
    if (w.sample) {
      const written = this.deps.telemetry.write(deviceId, w.sample, { durable: w.msg.qos > 0 });
      if (w.msg.qos === 0) return { kind: 'written', deviceId, channel: 'telemetry', pending: written };
      try {
        await written;
        return { kind: 'written', deviceId, channel: 'telemetry', pending: null };
      } catch (err) {
        return this.storeError(w, err);
      }
    }
    const event = w.event;
    if (!event) throw new Error(`ingress: nothing to store on ${channel}`);
    try {
      const result = await this.deps.inbox.accept(deviceId, event);
      return { kind: 'stored', deviceId, channel: 'events', result, event, notes };
    } catch (err) {
      return this.storeError(w, err);
    }
  }

  /** A store error caused by the message (for good: resending would fail forever), or the store being away. */
  private storeError(w: Work, err: unknown): Verdict {
    const { deviceId, channel, notes } = w;
    const eventId = w.event?.id;
    const refused = (code: ErrorCode, detail: string): Verdict =>
      eventId === undefined
        ? { kind: 'refused', deviceId, channel, code, detail, notes }
        : { kind: 'refused', deviceId, channel, code, detail, eventId, notes };
    if (isDeviceFault(err)) return refused(err.code, err.message);
    if (isUnknownDevice(err)) return refused('TRYGG_ERR_DEVICE_UNKNOWN', `device ${deviceId} is not in the registry`);
    return { kind: 'unavailable', deviceId, channel, err };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
