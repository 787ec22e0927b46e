/**
 * The device event vocabulary and how each type maps onto the national alert codes
 * (vkp-alert-code, reference/fhir/vkp-r4) and onto SCAIP (SS 91100 device type `dty`
 * and status code `stc`). One table, so the gateway, the engine and the journal agree.
 */

/** Every event type a device may send. Names are part of the device protocol: never rename. */
export const DEVICE_EVENT_TYPES = [
  'alarm.button',
  'alarm.pull-cord',
  'alarm.fall',
  'alarm.smoke',
  'alarm.co',
  'alarm.door',
  'alarm.bed-exit',
  'alarm.inactivity',
  'alarm.water',
  'cancel',
  'test',
  'heartbeat',
  'dispenser.dispensed',
  'dispenser.missed-dose',
  'dispenser.fault',
  'dispenser.refill-needed',
  'technical.battery-low',
  'technical.mains-failure',
  'technical.tamper',
  'technical.offline',
] as const;

/** Raised by Trygg's heartbeat supervision, never accepted from a device. */
export const SYSTEM_EVENT_TYPES: readonly DeviceEventType[] = ['technical.offline'];

export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];

/** What an event does to the alarm engine. */
export type EventKind = 'alarm' | 'cancel' | 'test' | 'heartbeat' | 'dispenser' | 'technical';

/**
 * Priority classes, highest first (issue: fire > fall > button > sensors > missed dose > technical).
 * The queue orders by this number descending, then by age.
 */
export const PRIORITY = {
  fire: 60,
  fall: 50,
  call: 40,
  sensor: 30,
  medication: 20,
  technical: 10,
  none: 0,
} as const;

/**
 * Re-alerts raise an unclaimed alarm's priority one notch each, up to here and no further: a
 * care alarm the response centre has not claimed climbs the queue, but never past a fire.
 */
export const REALERT_PRIORITY_CEILING = PRIORITY.fire - 1;

/** The priority after one more re-alert (never lower than now, never raised past the ceiling). */
export function raisedPriority(priority: number): number {
  return Math.max(priority, Math.min(priority + 1, REALERT_PRIORITY_CEILING));
}

export interface EventTypeInfo {
  kind: EventKind;
  priority: number;
  /** vkp-alert-code (urn:oid:2.16.578.1.12.4.1.1.xxxx, "VKP varselkode"); null when no alarm. */
  alertCode: string | null;
  alertDisplay: string | null;
  /**
   * SCAIP `dty`. Codes 0003/0004/0005/0011/0023/0026 are the standard's; sensors the public
   * summary names no code for use Trygg's vendor-specific range 0900–0999 (SS 91100 allows it).
   * null = any device type may send it (the unit itself).
   */
  scaipDty: string | null;
  /** SCAIP `stc`; null = no status code (alarm without stc, or heartbeat `mty=PI`). */
  scaipStc: string | null;
}

export const EVENT_TYPES: Readonly<Record<DeviceEventType, EventTypeInfo>> = {
  'alarm.button': {
    kind: 'alarm',
    priority: PRIORITY.call,
    alertCode: '4.13',
    alertDisplay: 'Knappetrykk',
    scaipDty: '0003',
    scaipStc: '0010',
  },
  'alarm.pull-cord': {
    kind: 'alarm',
    priority: PRIORITY.call,
    alertCode: '4.14',
    alertDisplay: 'Snortrekk',
    scaipDty: '0004',
    scaipStc: '0010',
  },
  'alarm.fall': {
    kind: 'alarm',
    priority: PRIORITY.fall,
    alertCode: '4.1',
    alertDisplay: 'Fall',
    scaipDty: '0005',
    scaipStc: '0009',
  },
  'alarm.smoke': {
    kind: 'alarm',
    priority: PRIORITY.fire,
    alertCode: '4.11',
    alertDisplay: 'Brannalarm',
    scaipDty: '0023',
    scaipStc: '0009',
  },
  'alarm.co': {
    kind: 'alarm',
    priority: PRIORITY.fire,
    alertCode: '4.11',
    alertDisplay: 'Brannalarm',
    scaipDty: '0026',
    scaipStc: '0009',
  },
  'alarm.door': {
    kind: 'alarm',
    priority: PRIORITY.sensor,
    alertCode: '4.15',
    alertDisplay: 'Dør åpnet',
    scaipDty: '0901',
    scaipStc: '0009',
  },
  'alarm.bed-exit': {
    kind: 'alarm',
    priority: PRIORITY.sensor,
    alertCode: '4.2',
    alertDisplay: 'Forlatt sengen',
    scaipDty: '0902',
    scaipStc: '0009',
  },
  'alarm.inactivity': {
    kind: 'alarm',
    priority: PRIORITY.sensor,
    alertCode: '4.9',
    alertDisplay: 'Inaktivitet',
    scaipDty: '0903',
    scaipStc: '0009',
  },
  'alarm.water': {
    kind: 'alarm',
    priority: PRIORITY.sensor,
    alertCode: '4.17',
    alertDisplay: 'Vannalarm',
    scaipDty: '0904',
    scaipStc: '0009',
  },
  cancel: { kind: 'cancel', priority: PRIORITY.none, alertCode: null, alertDisplay: null, scaipDty: null, scaipStc: '0019' },
  test: { kind: 'test', priority: PRIORITY.none, alertCode: null, alertDisplay: null, scaipDty: null, scaipStc: '0102' },
  heartbeat: { kind: 'heartbeat', priority: PRIORITY.none, alertCode: null, alertDisplay: null, scaipDty: null, scaipStc: null },
  'dispenser.dispensed': {
    kind: 'dispenser',
    priority: PRIORITY.none,
    alertCode: null,
    alertDisplay: null,
    scaipDty: '0011',
    scaipStc: '0083',
  },
  'dispenser.missed-dose': {
    kind: 'alarm',
    priority: PRIORITY.medication,
    alertCode: '1.1',
    alertDisplay: 'Ikke utlevert',
    scaipDty: '0011',
    scaipStc: '0081',
  },
  'dispenser.fault': {
    kind: 'technical',
    priority: PRIORITY.technical,
    alertCode: '1.5',
    alertDisplay: 'Teknisk feil',
    scaipDty: '0011',
    scaipStc: null,
  },
  'technical.battery-low': {
    kind: 'technical',
    priority: PRIORITY.technical,
    alertCode: '3',
    alertDisplay: 'Trygghetsalarm',
    scaipDty: null,
    scaipStc: '0016',
  },
  'technical.mains-failure': {
    kind: 'technical',
    priority: PRIORITY.technical,
    alertCode: '3',
    alertDisplay: 'Trygghetsalarm',
    scaipDty: null,
    scaipStc: '0085',
  },
  'technical.tamper': {
    kind: 'technical',
    priority: PRIORITY.technical,
    alertCode: '3',
    alertDisplay: 'Trygghetsalarm',
    scaipDty: null,
    scaipStc: '0125',
  },
  'technical.offline': {
    kind: 'technical',
    priority: PRIORITY.technical,
    alertCode: '3',
    alertDisplay: 'Trygghetsalarm',
    scaipDty: null,
    scaipStc: null,
  },
  // The dispenser is running low on medication (a roll or dosette to refill soon). A technical
  // alarm: nobody is in danger yet, and the missed dose that would follow is its own care alarm.
  // SS 91100 names no status code for it: Trygg's vendor range (09xx), as for sensor dty codes.
  'dispenser.refill-needed': {
    kind: 'technical',
    priority: PRIORITY.technical,
    alertCode: '1.12',
    alertDisplay: 'Snart tomt for medisin',
    scaipDty: '0011',
    scaipStc: '0901',
  },
};

/** The class of alarm an event of this type opens or joins: technical ones apart from care. */
export function alarmClassOf(type: DeviceEventType): 'care' | 'technical' {
  return EVENT_TYPES[type].kind === 'technical' ? 'technical' : 'care';
}

/** True when this event type opens (or joins) an alarm. */
export function opensAlarm(type: DeviceEventType): boolean {
  const kind = EVENT_TYPES[type].kind;
  return kind === 'alarm' || kind === 'technical';
}
