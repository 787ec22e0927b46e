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
  /** An alarm button gone silent: the person is unprotected, so the response centre too. */
  offlineButton: {
    source: 'default:offline-alarm-button',
    steps: [{ type: 'notify', to: ['technicians', 'response-centre'], timeoutS: 15 * 60 }],
    realertS: 15 * 60,
  },
} as const satisfies Record<string, Chain>;

export type DefaultChainName = keyof typeof DEFAULT_CHAINS;

/** The default chain for an alarm of `type` from a device of `deviceKind`, at home or not. */
export function defaultChainName(
  type: DeviceEventType,
  where: 'home' | 'institution',
  deviceKind: string | null,
): DefaultChainName {
  if (type === 'alarm.smoke' || type === 'alarm.co') return 'fire';
  if (type === 'dispenser.missed-dose') return 'medication';
  if (type === 'technical.offline' && (deviceKind === 'alarm-button' || deviceKind === 'pull-cord')) return 'offlineButton';
  if (EVENT_TYPES[type].kind === 'technical') return 'technical';
  return where;
}

/** A deep copy, so the alarm's snapshot shares nothing with the table above. */
export function defaultChain(name: DefaultChainName): Chain {
  return structuredClone(DEFAULT_CHAINS[name]);
}
