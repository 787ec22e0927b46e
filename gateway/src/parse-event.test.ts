/** Device payload parsing: every refusal has its code, and valid events pass unchanged. */
import { describe, expect, it } from 'vitest';
import { parseDeviceEvent } from './parse-event.js';

const ok = { id: 'e-1', type: 'alarm.button', ts: '2026-11-21T03:00:00+01:00' };
const parse = (v: unknown) => parseDeviceEvent(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

describe('parseDeviceEvent', () => {
  it('accepts a valid event as it is', () => {
    expect(parse({ ...ok, battery: 55, location: 'bad' })).toEqual({ ok: true, event: { ...ok, battery: 55, location: 'bad' } });
  });

  it.each([
    ['not JSON', '{"id":', 'TRYGG_ERR_PAYLOAD_MALFORMED'],
    ['an unknown type', { ...ok, type: 'alarm.teleport' }, 'TRYGG_ERR_EVENT_TYPE_UNKNOWN'],
    ['a type only Trygg raises', { ...ok, type: 'technical.offline' }, 'TRYGG_ERR_EVENT_TYPE_UNKNOWN'],
    ['a missing id', { type: 'alarm.button', ts: ok.ts }, 'TRYGG_ERR_SCHEMA'],
    ['an id with spaces', { ...ok, id: 'a b' }, 'TRYGG_ERR_SCHEMA'],
    ['a time that is not a time', { ...ok, ts: 'yesterday' }, 'TRYGG_ERR_SCHEMA'],
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
