/**
 * What the journal tests share: alarms made by the real reducer (so fixtures cannot drift from
 * what the engine stores) and the VKP code lists. Reads the vendored reference/ data, so it is
 * for tests only; index.ts does not export it. The FHIR R4 schema validator is fhir-schema.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Actor, Alarm, TimelineEntry } from '../contracts/alarm.js';
import type { Chain, Recipient, Roster } from '../contracts/escalation.js';
import type { DeviceEventType } from '../contracts/vocabulary.js';
import { step, type EngineInput, type StepResult } from '../engine/reducer.js';
import { FHIR_REFERENCE_DIR } from './fhir-schema.js';

export const CODESYSTEM_DIR = `${FHIR_REFERENCE_DIR}vkp-r4/CodeSystem`;

// --- alarms ------------------------------------------------------------------------------

const T0 = Date.parse('2026-11-21T03:00:00.000Z');
const person = (id: string, name: string, kind: Recipient['kind']): Recipient => ({ id, name, kind, userId: `u-${id}` });
export const ola = person('ola', 'Ola Nordmann', 'relative');
export const liv = person('liv', 'Liv <Nordmann> & "co"', 'relative');
const RC: Recipient = { id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null };
const roster: Roster = { relatives: [ola, liv], 'floor-staff': [], 'site-staff': [], 'response-centre': [RC], technicians: [] };
const chain: Chain = {
  source: 'test:relatives-then-centre',
  steps: [
    { type: 'notify', to: ['relatives'], mode: 'all', timeoutS: 120 },
    { type: 'notify', to: ['response-centre'], timeoutS: 60 },
  ],
  followUpS: 1800,
  realertS: 60,
};
const actorOf = (r: Recipient): Actor => ({
  userId: r.userId ?? '',
  name: r.name,
  role: r.kind === 'relative' ? 'relative' : 'staff',
});
export const operator: Actor = { userId: 'u-olav', name: 'Olav Operatør', role: 'operator' };

/** Runs inputs through the reducer, collecting the timeline as the engine would store it. */
class Run {
  alarm: Alarm | null = null;
  timeline: TimelineEntry[] = [];
  private seq = 0;

  apply(input: EngineInput, afterS: number): this {
    const at = new Date(T0 + afterS * 1000);
    this.record(step(this.alarm, input, at), at);
    return this;
  }

  fireStep(afterS: number): this {
    const token = this.alarm?.escalation.timers.find((t) => t.kind === 'step')?.token;
    if (!token) throw new Error('no step timer');
    return this.apply({ kind: 'timer', token }, afterS);
  }

  private record(r: StepResult, at: Date): void {
    if (r.error) throw new Error(r.error);
    if (!r.alarm) throw new Error('the input touched no alarm');
    this.alarm = r.alarm;
    for (const e of r.entries) this.timeline.push({ seq: ++this.seq, alarmId: r.alarm.id, at: at.toISOString(), ...e });
  }

  done(): { alarm: Alarm; timeline: TimelineEntry[] } {
    if (!this.alarm) throw new Error('no alarm');
    return { alarm: this.alarm, timeline: this.timeline };
  }
}

let events = 0;
const deviceEvent = (type: DeviceEventType, alarmId: string): Extract<EngineInput, { kind: 'device-event' }> => ({
  kind: 'device-event',
  deviceId: 'dev-1',
  event: { id: `e-${++events}`, type, ts: new Date(T0).toISOString(), location: 'bathroom' },
  open: {
    newAlarmId: alarmId,
    subject: {
      deviceId: 'dev-1',
      residentId: 'res-1',
      residentName: 'Kari Nordmann',
      siteId: 'home-1',
      siteName: 'Kari Nordmann',
      address: 'Storgata 12',
      room: null,
    },
    chain,
    roster,
  },
});
const command = (actor: Actor, type: 'claim' | 'accept' | 'decline' | 'arrived'): EngineInput => ({
  kind: 'command',
  command: { id: `c-${++events}`, type },
  actor,
});
const resolve = (actor: Actor, note: string): EngineInput => ({
  kind: 'command',
  command: { id: `c-${++events}`, type: 'resolve', note, cause: 'fall', action: 'home-visit' },
  actor,
});

/** Opened, one relative declines, the other goes, arrives and resolves with cause, action and note. */
export function resolvedAlarm(
  type: DeviceEventType,
  note = 'Kari hadde falt på badet. Hjulpet opp, ingen skade.',
  id = uuidFor(type, 1),
) {
  return new Run()
    .apply(deviceEvent(type, id), 0)
    .apply(command(actorOf(liv), 'decline'), 20)
    .apply(command(actorOf(ola), 'accept'), 30)
    .apply(command(actorOf(ola), 'arrived'), 600)
    .apply(resolve(actorOf(ola), note), 900)
    .done();
}

/** Opened, nobody answers, the response centre claims and resolves it. */
export function operatorAlarm(type: DeviceEventType) {
  return new Run()
    .apply(deviceEvent(type, uuidFor(type, 3)), 0)
    .fireStep(120)
    .apply(command(operator, 'claim'), 150)
    .apply(resolve(operator, 'Snakket med Kari over høyttaleren; alt i orden.'), 400)
    .done();
}

/** Opened, then cancelled on the device before anyone took it. */
export function cancelledAlarm(type: DeviceEventType) {
  return new Run()
    .apply(deviceEvent(type, uuidFor(type, 2)), 0)
    .apply(deviceEvent('cancel', ''), 15)
    .done();
}

/** The device went silent and came back: opened and cleared by supervision, nobody answered. */
export function clearedAlarm() {
  const open = deviceEvent('technical.offline', uuidFor('technical.offline', 4)).open;
  return new Run()
    .apply(
      { kind: 'supervision', deviceId: 'dev-1', state: 'offline', lastSeenAt: new Date(T0 - 600_000).toISOString(), open },
      0,
    )
    .apply(
      { kind: 'supervision', deviceId: 'dev-1', state: 'online', lastSeenAt: new Date(T0 + 300_000).toISOString(), open },
      300,
    )
    .done();
}

/** A fixed uuid per (type, variant), so every fixture alarm has its own id. */
function uuidFor(type: DeviceEventType, variant: number): string {
  let h = variant;
  for (const ch of type) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
}

// --- VKP code systems --------------------------------------------------------------------

/** Canonical url → its codes, read from the CodeSystem XML files. */
export function vkpCodeSystems(): Map<string, Set<string>> {
  const systems = new Map<string, Set<string>>();
  for (const file of readdirSync(CODESYSTEM_DIR)) {
    const xml = readFileSync(`${CODESYSTEM_DIR}/${file}`, 'utf8');
    const url = /<url value="([^"]+)"/.exec(xml)?.[1];
    if (!url) continue;
    systems.set(url, new Set([...xml.matchAll(/<code value="([^"]+)"\s*\/>/g)].map((m) => m[1] ?? '')));
  }
  return systems;
}

/** Every Coding (an object with system and code) anywhere in a value. */
export function codings(value: unknown): { system: string; code: string }[] {
  if (Array.isArray(value)) return value.flatMap(codings);
  if (typeof value !== 'object' || value === null) return [];
  const o = value as Record<string, unknown>;
  const own = typeof o.system === 'string' && typeof o.code === 'string' ? [{ system: o.system, code: o.code }] : [];
  return [...own, ...Object.values(o).flatMap(codings)];
}
