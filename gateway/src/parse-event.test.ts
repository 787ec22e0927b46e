/** Device payload parsing: every refusal has its code, and valid events pass unchanged. */
import { describe, expect, it } from 'vitest';
import { parseDeviceEvent } from './parse-event.js';

const ok = { id: 'e-1', type: 'alarm.button', ts: '2026-11-21T03:00:00+01:00' };
const parse = (v: unknown) => parseDeviceEvent(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

describe('parseDeviceEvent', () => {
  it('accepts a valid event as it is', () => {
    expect(parse({ ...ok, battery: 55, location: 'bad' })).toEqual({
      ok: true,
      event: { ...ok, battery: 55, location: 'bad' },
      notes: [],
    });
  });

  it('cleans a NUL or a lone surrogate out of text instead of losing the alarm', () => {
    const r = parseDeviceEvent(
      Buffer.from(
        '{"id":"e-2","type":"alarm.fall","ts":"2026-11-21T03:00:00Z","text":"fall detected\\u0000","location":"\\ud800"}',
      ),
    );
    expect(r).toMatchObject({
      ok: true,
      event: { text: 'fall detected', location: '\uFFFD' },
      notes: [{ code: 'TRYGG_ERR_EVENT_DATA' }],
    });
  });

  it('reads times strictly: a zone suffix and a leap second name an instant, kept as the device wrote them', () => {
    expect(parse({ ...ok, ts: '2026-12-01T14:25:13Z[Europe/Oslo]' })).toMatchObject({
      ok: true,
      event: { ts: '2026-12-01T14:25:13.000Z', deviceTs: '2026-12-01T14:25:13Z[Europe/Oslo]' },
      notes: [],
    });
    expect(parse({ ...ok, ts: '2026-12-31T23:59:60Z' })).toMatchObject({
      ok: true,
      event: { ts: '2026-12-31T23:59:59.999Z', deviceTs: '2026-12-31T23:59:60Z' },
    });
  });

  it('stores an alarm whose time names no instant, or is far off, with the receive time and says so', () => {
    const now = new Date('2026-11-21T02:00:00Z');
    const bad = parseDeviceEvent(Buffer.from(JSON.stringify({ ...ok, ts: 'yesterday' })), { now, maxSkewS: 300 });
    expect(bad).toMatchObject({
      ok: true,
      event: { ts: now.toISOString(), deviceTs: 'yesterday' },
      notes: [{ code: 'TRYGG_ERR_DEVICE_TIME' }],
    });
    const far = parseDeviceEvent(Buffer.from(JSON.stringify({ ...ok, ts: '2020-01-01T00:00:00Z' })), { now, maxSkewS: 300 });
    expect(far).toMatchObject({
      ok: true,
      event: { ts: now.toISOString(), deviceTs: '2020-01-01T00:00:00Z' },
      notes: [{ code: 'TRYGG_ERR_CLOCK_SKEW' }],
    });
  });

  it('never takes the fields Trygg sets from a device', () => {
    const r = parse({ ...ok, deviceTs: 'forged', extensions: { a: 'b' } });
    expect(r).toEqual({ ok: true, event: ok, notes: [] });
  });

  it.each([
    ['not JSON', '{"id":', 'TRYGG_ERR_PAYLOAD_MALFORMED'],
    ['an unknown type', { ...ok, type: 'alarm.teleport' }, 'TRYGG_ERR_EVENT_TYPE_UNKNOWN'],
    ['a type only Trygg raises', { ...ok, type: 'technical.offline' }, 'TRYGG_ERR_EVENT_TYPE_UNKNOWN'],
    ['a missing id', { type: 'alarm.button', ts: ok.ts }, 'TRYGG_ERR_SCHEMA'],
    ['an id with spaces', { ...ok, id: 'a b' }, 'TRYGG_ERR_SCHEMA'],
    ['a time that is not a string', { ...ok, ts: 12 }, 'TRYGG_ERR_SCHEMA'],
    ['battery over 100', { ...ok, battery: 101 }, 'TRYGG_ERR_SCHEMA'],
    ['an unknown field', { ...ok, colour: 'red' }, 'TRYGG_ERR_SCHEMA'],
    ['an array', [ok], 'TRYGG_ERR_SCHEMA'],
    ['too large', 'x'.repeat(5000), 'TRYGG_ERR_PAYLOAD_TOO_LARGE'],
  ])('refuses %s', (_what, payload, code) => {
    expect(parse(payload)).toMatchObject({ ok: false, code });
  });

  it('says which event a refusal is about when it can', () => {
    expect(parse({ ...ok, battery: -1 })).toMatchObject({ ok: false, eventId: 'e-1' });
  });
});
