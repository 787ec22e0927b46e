/**
 * The default escalation chains (what a municipality gets before it writes its own policies),
 * and which one an alarm gets. Most specific wins: a policy for the resident, then for the site,
 * then for the alarm type; these defaults last.
 */
import type { Chain } from '../contracts/escalation.js';
import { EVENT_TYPES, type DeviceEventType } from '../contracts/vocabulary.js';

const FOLLOW_UP_S = 30 * 60;
const REALERT_S = 60;

export const DEFAULT_CHAINS = {
  /** At home: relatives in the resident's order, 2 minutes to accept, then the response centre. */
  home: {
    source: 'default:home',
    steps: [
      { type: 'notify', to: ['relatives'], mode: 'all', timeoutS: 120 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ],
    followUpS: FOLLOW_UP_S,
    realertS: REALERT_S,
  },
  /** In an institution: the floor's night staff, the whole site, then the response centre. */
  institution: {
    source: 'default:institution',
    steps: [
      { type: 'notify', to: ['floor-staff'], timeoutS: 60 },
      { type: 'notify', to: ['site-staff'], timeoutS: 60 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ],
    followUpS: FOLLOW_UP_S,
    realertS: REALERT_S,
  },
  /** Fire, smoke, CO: the response centre and all staff at once; relatives informed, not asked. */
  fire: {
    source: 'default:fire',
    steps: [{ type: 'notify', to: ['response-centre', 'site-staff'], inform: ['relatives'], timeoutS: 60 }],
    followUpS: FOLLOW_UP_S,
    realertS: REALERT_S,
  },
  /** Missed medication dose: relatives get 15 minutes, then the response centre (home-care nurse). */
  medication: {
    source: 'default:medication',
    steps: [
      { type: 'notify', to: ['relatives'], mode: 'all', timeoutS: 15 * 60 },
      { type: 'notify', to: ['response-centre'], timeoutS: 60 },
    ],
    followUpS: FOLLOW_UP_S,
    realertS: REALERT_S,
  },
  /** Technical alarms: technicians, who have a working day to act. */
  technical: {
    source: 'default:technical',
    steps: [{ type: 'notify', to: ['technicians'], timeoutS: 8 * 3600 }],
  },
  /**
   * A device that protects a person gone silent (see PROTECTING_DEVICE_KINDS): the person is
   * unprotected now, so technicians and the response centre together, not one after the other.
   * The response centre can call the person at once and see that they are all right (and send
   * someone if not) while a technician, who may need hours, gets the device working again; a
   * technicians-first chain would leave the person without a working alarm and without anyone
   * checking on them for the whole technician step. Docs: docs/escalation.md.
   */
  offlineProtecting: {
    source: 'default:offline-protecting',
    steps: [{ type: 'notify', to: ['technicians', 'response-centre'], timeoutS: 15 * 60 }],
    realertS: 15 * 60,
  },
  /**
   * A medication dispenser running low: technicians (who look after the dispensers and arrange
   * the refill with home care or the pharmacy) are asked, with a working day to act; relatives
   * are told, not asked (many fetch the multidose rolls themselves).
   */
  refill: {
    source: 'default:dispenser-refill',
    steps: [{ type: 'notify', to: ['technicians'], inform: ['relatives'], timeoutS: 8 * 3600 }],
  },
} as const satisfies Record<string, Chain>;

export type DefaultChainName = keyof typeof DEFAULT_CHAINS;

/**
 * Device kinds whose silence leaves a person unprotected: when one goes offline, the response
 * centre is alerted together with the technicians. The default of the setting
 * `TRYGG_PROTECTING_DEVICE_KINDS` (server/src/config.ts); other kinds' offline alarms go to
 * technicians only.
 */
export const PROTECTING_DEVICE_KINDS: readonly string[] = [
  'social-alarm-unit',
  'alarm-button',
  'pull-cord',
  'fall-sensor',
  'smoke-detector',
];

/**
 * The default chain for an alarm of `type` from a device of `deviceKind`, at home or not;
 * `protecting` are the device kinds whose silence leaves a person unprotected.
 */
export function defaultChainName(
  type: DeviceEventType,
  where: 'home' | 'institution',
  deviceKind: string | null,
  protecting: readonly string[] = PROTECTING_DEVICE_KINDS,
): DefaultChainName {
  if (type === 'alarm.smoke' || type === 'alarm.co') return 'fire';
  if (type === 'dispenser.missed-dose') return 'medication';
  if (type === 'dispenser.refill-needed') return 'refill';
  if (type === 'technical.offline' && deviceKind !== null && protecting.includes(deviceKind)) return 'offlineProtecting';
  if (EVENT_TYPES[type].kind === 'technical') return 'technical';
  return where;
}

/** A deep copy, so the alarm's snapshot shares nothing with the table above. */
export function defaultChain(name: DefaultChainName): Chain {
  return structuredClone(DEFAULT_CHAINS[name]);
}
