/**
 * From a parsed `<mrq>` to Trygg's device event contract. The event type comes from `mty`, `dty`
 * and `stc` through the vocabulary table (alarm-core/src/contracts/vocabulary.ts, the one source
 * of the SCAIP codes); `did`, `dco`, `pri`, `crd`, location and text travel on the event.
 *
 * SS 91100 semantics: `mty=PI` is a heartbeat, `mty=RE` aborts the unit's session (not an event:
 * the person may still need help, so the alarm stays), `stc=0019` cancels, `stc` absent / `0009` /
 * `0010` is an alarm of the device type. An alarm from a device type Trygg has no name for is an
 * alarm all the same (a button alarm): refusing it would leave the person without help.
 */
import { createHash } from 'node:crypto';
import { EVENT_TYPES, type DeviceEvent, type DeviceEventType } from '@trygg/alarm-core';
import type { Mrq } from './mrq.js';

export type Mapped = { kind: 'event'; type: DeviceEventType } | { kind: 'abort' } | { kind: 'wrong'; detail: string };

const ALARM_STC = new Set([9, 10]);
/** Status codes that report a state, not a need: recorded as a sign of life (heartbeat). */
const INFO_STC = new Map([
  [70, 'normal'],
  [82, 'pill reminder'],
  [111, 'check-out'],
]);
const DISPENSER_DTY = 11;

const byDty = new Map<number, DeviceEventType>();
const byStc = new Map<number, DeviceEventType>();
const dispenserByStc = new Map<number, DeviceEventType>();
let dispenserDefault: DeviceEventType = 'dispenser.fault';
for (const [type, info] of Object.entries(EVENT_TYPES) as [DeviceEventType, (typeof EVENT_TYPES)[DeviceEventType]][]) {
  const dty = info.scaipDty === null ? null : Number(info.scaipDty);
  const stc = info.scaipStc === null ? null : Number(info.scaipStc);
  if (dty === DISPENSER_DTY) {
    if (stc === null) dispenserDefault = type;
    else dispenserByStc.set(stc, type);
  } else if (info.kind === 'alarm' && dty !== null) byDty.set(dty, type);
  else if (dty === null && stc !== null) byStc.set(stc, type);
}

/** What a request means. */
export function classify(mrq: Mrq): Mapped {
  if (mrq.mty === 'RE') return { kind: 'abort' };
  if (mrq.mty === 'PI') return { kind: 'event', type: 'heartbeat' };
  const stc = mrq.stc;
  if (stc !== undefined && INFO_STC.has(stc)) return { kind: 'event', type: 'heartbeat' };
  if (mrq.dty === DISPENSER_DTY) {
    if (stc === undefined || ALARM_STC.has(stc)) return { kind: 'event', type: dispenserDefault };
    const t = dispenserByStc.get(stc) ?? byStc.get(stc);
    return t ? { kind: 'event', type: t } : { kind: 'wrong', detail: `unknown <stc> ${stc} for a pill dispenser` };
  }
  if (stc === undefined || ALARM_STC.has(stc)) return { kind: 'event', type: byDty.get(mrq.dty) ?? 'alarm.button' };
  const t = byStc.get(stc);
  return t ? { kind: 'event', type: t } : { kind: 'wrong', detail: `unknown <stc> ${String(stc).padStart(4, '0')}` };
}

/**
 * The event id: the session (cid + ref, see sessions.ts) and what was said in it, so a resend or
 * a hold poll is the same event and a cancel in the same session is a different one. Updates
 * (`mty=IN`) are told apart by their content.
 */
export function eventIdOf(sessionId: string, mrq: Mrq, type: DeviceEventType): string {
  const base = `scaip.${sessionId}.${mrq.mty}.${EVENT_TYPES[type].kind}`;
  if (mrq.mty !== 'IN') return base;
  const { ref: _ref, decodedAs: _as, ...content } = mrq;
  return `${base}.${createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 10)}`;
}

export function toDeviceEvent(mrq: Mrq, type: DeviceEventType, id: string, ts: Date): DeviceEvent {
  const event: DeviceEvent = { id, type, ts: ts.toISOString() };
  const location = mrq.lte ?? (mrq.lco ? `lco ${mrq.lco}${mrq.lva ? ` ${mrq.lva}` : ''}` : undefined);
  if (location) event.location = location.slice(0, 64);
  const info = mrq.stc !== undefined ? INFO_STC.get(mrq.stc) : undefined;
  const text = [info && `stc ${String(mrq.stc).padStart(4, '0')} ${info}`, mrq.dte, mrq.stt, mrq.ite].filter(Boolean).join(' · ');
  if (text) event.text = [...text].slice(0, 128).join('');
  if (mrq.did) event.subDevice = mrq.did;
  if (mrq.dco) event.component = mrq.dco;
  if (mrq.pri !== undefined) event.devicePriority = mrq.pri;
  if (mrq.crd.length > 0) event.callbacks = mrq.crd;
  if (mrq.geo) event.position = mrq.geo;
  if (mrq.extensions) event.extensions = mrq.extensions;
  return event;
}
