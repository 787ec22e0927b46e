/**
 * The ingress pipeline's verdicts, step by step: the embedded broker and the external consumer
 * answer the same verdicts, so these are the rules both keep. The store is given as what it
 * answers (a result, a device fault, a foreign-key error, the database away); the real store is
 * exercised end to end in test/mqtt-*.test.ts.
 */
import { TryggError, type AcceptResult, type DeviceEvent } from '@trygg/alarm-core';
import { describe, expect, it } from 'vitest';
import { Ingress, type IngressDeps, type IngressMessage } from './ingress.js';

const NOW = new Date('2026-12-01T03:00:00Z');
const event = { id: 'e-1', type: 'alarm.fall', ts: '2026-12-01T03:00:00Z' };
const msg = (over: Partial<IngressMessage> & { body?: unknown } = {}): IngressMessage => ({
  topic: over.topic ?? 'trygg/v1/devices/dev-1/events',
  payload: Buffer.from(typeof over.body === 'string' ? over.body : JSON.stringify(over.body ?? event)),
  qos: over.qos ?? 1,
  client: over.client === undefined ? 'dev-1' : over.client,
});

function ingress(store: (e: DeviceEvent) => Promise<AcceptResult>, over: Partial<IngressDeps> = {}) {
  const accepted: DeviceEvent[] = [];
  const written: unknown[] = [];
  const i = new Ingress({
    inbox: {
      accept: (_device: string, e: DeviceEvent) => {
        accepted.push(e);
        return store(e);
      },
    },
    telemetry: {
      write: (_device, sample) => {
        written.push(sample);
        return Promise.resolve(1);
      },
    },
    maxClockSkewS: 300,
    now: () => NOW,
    ...over,
  });
  return { i, accepted, written };
}

const stored = () => Promise.resolve<AcceptResult>('stored');

describe('Ingress', () => {
  it('names its steps in the order they run', () => {
    expect(ingress(stored).i.steps.map(([name]) => name)).toEqual(['budget', 'parse', 'clock', 'store']);
  });

  it('stores an event and says so only after the store answered', async () => {
    const { i, accepted } = ingress(stored);
    expect(await i.handle(msg())).toMatchObject({ kind: 'stored', deviceId: 'dev-1', result: 'stored' });
    expect(accepted).toHaveLength(1);
  });

  it("refuses a device's message outside its own prefix, and feedback from any device", async () => {
    const { i, accepted } = ingress(stored);
    expect(await i.handle(msg({ topic: 'trygg/v1/devices/dev-2/events' }))).toEqual({ kind: 'forbidden', deviceId: 'dev-1' });
    expect(await i.handle(msg({ topic: 'trygg/v1/devices/dev-1/feedback' }))).toMatchObject({ kind: 'forbidden' });
    expect(accepted).toHaveLength(0);
  });

  it('in external mode (no client) ignores topics it does not consume, and takes the device from the topic', async () => {
    const { i } = ingress(stored);
    expect(await i.handle(msg({ client: null, topic: 'trygg/v1/devices/dev-9/status', body: 'online' }))).toEqual({
      kind: 'ignored',
    });
    expect(await i.handle(msg({ client: null, topic: 'elsewhere/x' }))).toEqual({ kind: 'ignored' });
    expect(await i.handle(msg({ client: null, topic: 'trygg/v1/devices/dev-9/events' }))).toMatchObject({
      kind: 'stored',
      deviceId: 'dev-9',
    });
  });

  it('stops at the budget before parsing, but never for the status topic', async () => {
    const { i, accepted } = ingress(stored, { rate: { take: () => false } });
    expect(await i.handle(msg())).toEqual({ kind: 'over-budget', deviceId: 'dev-1', channel: 'events' });
    expect(await i.handle(msg({ topic: 'trygg/v1/devices/dev-1/status', body: 'online' }))).toMatchObject({ kind: 'status' });
    expect(accepted).toHaveLength(0);
  });

  it('refuses for good what can never be stored: bad JSON, a bad status word', async () => {
    const { i } = ingress(stored);
    expect(await i.handle(msg({ body: '{"id":' }))).toMatchObject({ kind: 'refused', code: 'TRYGG_ERR_PAYLOAD_MALFORMED' });
    expect(await i.handle(msg({ topic: 'trygg/v1/devices/dev-1/status', body: 'sleeping' }))).toMatchObject({
      kind: 'refused',
      channel: 'status',
      code: 'TRYGG_ERR_SCHEMA',
    });
  });

  it('refuses telemetry from a clock far off, but stores an alarm from it', async () => {
    const { i, written } = ingress(stored);
    const late = '2026-11-30T03:00:00Z';
    expect(await i.handle(msg({ topic: 'trygg/v1/devices/dev-1/telemetry', body: { ts: late, battery: 50 } }))).toMatchObject({
      kind: 'refused',
      code: 'TRYGG_ERR_CLOCK_SKEW',
    });
    expect(written).toHaveLength(0);
    expect(await i.handle(msg({ body: { ...event, ts: late } }))).toMatchObject({ kind: 'stored' });
  });

  it('hands QoS 0 telemetry to a batch nobody waits for, and waits for QoS 1', async () => {
    const { i } = ingress(stored);
    const t = { topic: 'trygg/v1/devices/dev-1/telemetry', body: { ts: NOW.toISOString(), battery: 50 } };
    expect(await i.handle(msg({ ...t, qos: 0 }))).toMatchObject({ kind: 'written', pending: expect.any(Promise) });
    expect(await i.handle(msg({ ...t, qos: 1 }))).toMatchObject({ kind: 'written', pending: null });
  });

  it('tells a store error the data caused (refused for good) from the store being away (sent again)', async () => {
    const fault = ingress(() => Promise.reject(new TryggError('TRYGG_ERR_EVENT_DATA', 'no')));
    expect(await fault.i.handle(msg())).toMatchObject({ kind: 'refused', code: 'TRYGG_ERR_EVENT_DATA', eventId: 'e-1' });

    const unknown = ingress(() => Promise.reject(Object.assign(new Error('fk'), { code: '23503' })));
    expect(await unknown.i.handle(msg())).toMatchObject({ kind: 'refused', code: 'TRYGG_ERR_DEVICE_UNKNOWN' });

    const away = ingress(() => Promise.reject(Object.assign(new Error('gone'), { code: '57P01' })));
    expect(await away.i.handle(msg())).toMatchObject({ kind: 'unavailable', channel: 'events' });
  });

  it('turns a step that throws (a bug) into a message not acknowledged, never a rejection', async () => {
    const { i } = ingress(stored, {
      telemetry: {
        write: () => {
          throw new Error('bug');
        },
      },
    });
    const t = { topic: 'trygg/v1/devices/dev-1/telemetry', body: { ts: NOW.toISOString(), battery: 50 } };
    expect(await i.handle(msg(t))).toMatchObject({ kind: 'unavailable', deviceId: 'dev-1', channel: 'telemetry' });
  });
});
