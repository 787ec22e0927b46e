/**
 * Simulated people, using the same doors as the apps: relatives and night staff keep the people
 * namespace open (`/people`, told only *that* one of their alarms changed) and then read their
 * own list (`/api/relative/alarms`, `/api/staff/overview`), as the phone apps do; operators keep
 * the main namespace open and see every update. When someone is asked, they accept, decline or
 * do not answer, after a human delay; who accepted goes there (arrived) and resolves. Operators
 * claim what reaches the response centre, talk to the person, and resolve.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Alarm, AlarmCommand, LiveUpdate } from '@trygg/alarm-core';
import type { Api } from './api.js';
import { Later } from './later.js';

export interface Behaviour {
  /** Chance an alerted relative or staff member accepts; `decline` that they say no; the rest do not answer. */
  accept: number;
  decline: number;
  /** Seconds (min, max) before they answer; before arriving; from arriving to resolving; an operator's. */
  answerS: [number, number];
  travelS: [number, number];
  visitS: [number, number];
  operatorAnswerS: [number, number];
  operatorCallS: [number, number];
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  accept: 0.6,
  decline: 0.2,
  answerS: [5, 45],
  travelS: [20, 120],
  visitS: [10, 60],
  operatorAnswerS: [3, 20],
  operatorCallS: [20, 90],
};

/** The same people, `f` times quicker at everything. */
export function faster(b: Behaviour, f: number): Behaviour {
  const d = ([x, y]: [number, number]): [number, number] => [x / f, y / f];
  return {
    ...b,
    answerS: d(b.answerS),
    travelS: d(b.travelS),
    visitS: d(b.visitS),
    operatorAnswerS: d(b.operatorAnswerS),
    operatorCallS: d(b.operatorCallS),
  };
}

export interface Person {
  kind: 'operator' | 'staff' | 'relative';
  token: string;
  userId: string;
  name: string;
}

export interface PeopleOptions {
  httpUrl: string;
  api: Api;
  people: Person[];
  behaviour: Behaviour;
  log: (line: string) => void;
  verbose: boolean;
  /** Every update the first operator's screen shows (for the simulator's tally). */
  onUpdate?: (u: LiveUpdate) => void;
  random?: () => number;
}

export interface People {
  online(): number;
  stop(): void;
}

const NOTES: Record<string, string> = {
  operator: 'Snakket med brukeren; alt i orden.',
  staff: 'Tilsyn gitt, beboeren er ivaretatt.',
  relative: 'Var innom, alt vel.',
};

export async function startPeople(o: PeopleOptions): Promise<People> {
  const random = o.random ?? Math.random;
  const sockets: Socket[] = [];
  const later = new Later();
  const between = ([a, b]: [number, number]) => (a + random() * (b - a)) * 1000;
  const say = (line: string) => {
    if (o.verbose) o.log(line);
  };

  type Command = AlarmCommand extends infer C ? (C extends AlarmCommand ? Omit<C, 'id'> : never) : never;
  const command = async (p: Person, alarm: Alarm, cmd: Command): Promise<boolean> => {
    const res = await o.api.request<{ code?: string }>('POST', `/api/alarms/${alarm.id}/commands`, p.token, {
      id: randomUUID(),
      ...cmd,
    });
    if (res.status === 200) return true;
    // Someone else was first, or the alarm closed meanwhile: what happens to people, not an error.
    if (!['TRYGG_ERR_ALARM_CLAIMED', 'TRYGG_ERR_ALARM_CLOSED', 'TRYGG_ERR_NOT_ALERTED'].includes(res.body?.code ?? ''))
      o.log(`${p.name}: ${cmd.type} refused ${res.status} ${res.body?.code ?? ''}`);
    return false;
  };

  const where = (a: Alarm) => a.subject.room ?? a.subject.residentName ?? a.subject.deviceId;

  /** Took it: go there, then resolve. */
  const handle = (p: Person, alarm: Alarm) => {
    later.run(between(o.behaviour.travelS), () => {
      void command(p, alarm, { type: 'arrived' }).then((ok) => {
        if (!ok) return;
        later.run(between(o.behaviour.visitS), () => {
          void command(p, alarm, { type: 'resolve', note: NOTES[p.kind] ?? 'OK', cause: 'assistance', action: 'home-visit' });
        });
      });
    });
  };

  // Relatives and staff: asked → accept / decline / silence, once per alarm.
  const decided = new Map<string, Set<string>>();
  const consider = (p: Person, alarms: Alarm[]) => {
    const mine = decided.get(p.userId) ?? new Set<string>();
    decided.set(p.userId, mine);
    for (const a of alarms) {
      if (a.state !== 'open' || mine.has(a.id)) continue;
      const asked = a.escalation.alerts.some((x) => x.recipient.userId === p.userId && x.state === 'pending');
      if (!asked) continue;
      mine.add(a.id);
      const r = random();
      if (r < o.behaviour.accept) {
        later.run(between(o.behaviour.answerS), () => {
          void command(p, a, { type: 'accept' }).then((ok) => ok && handle(p, a));
        });
      } else if (r < o.behaviour.accept + o.behaviour.decline) {
        later.run(between(o.behaviour.answerS), () => {
          void command(p, a, { type: 'decline' }).then((ok) => ok && say(`✗ ${p.name} declined (${where(a)})`));
        });
      }
    }
  };

  const connect = (p: Person, namespace: string) =>
    new Promise<Socket>((resolve, reject) => {
      const s = io(o.httpUrl + namespace, {
        path: '/socket.io',
        auth: { token: p.token },
        transports: ['websocket'],
        reconnectionDelay: 2_000,
      });
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
      sockets.push(s);
    });

  let watcher = false;
  for (const p of o.people) {
    if (p.kind === 'operator') {
      const s = await connect(p, '');
      const tally = !watcher;
      watcher = true;
      const claimed = new Set<string>();
      s.on('alarm:update', (u: LiveUpdate) => {
        if (tally) o.onUpdate?.(u);
        const a = u.alarm;
        // The response centre is asked: the operator this alarm falls to answers (one per alarm).
        const operators = o.people.filter((x) => x.kind === 'operator');
        const mineToTake = operators[hash(a.id) % operators.length]?.userId === p.userId;
        if (!mineToTake || a.state !== 'open' || claimed.has(a.id)) return;
        const asked = a.escalation.alerts.some((x) => x.recipient.kind === 'response-centre' && x.state === 'pending');
        if (!asked) return;
        claimed.add(a.id);
        later.run(between(o.behaviour.operatorAnswerS), () => {
          void command(p, a, { type: 'claim' }).then((ok) => {
            if (!ok) return;
            later.run(between(o.behaviour.operatorCallS), () => {
              void command(p, a, {
                type: 'resolve',
                note: NOTES.operator ?? 'OK',
                cause: a.type === 'alarm.button' && random() < 0.4 ? 'accidental' : 'assistance',
                action: 'phone-call',
              });
            });
          });
        });
      });
    } else {
      const s = await connect(p, '/people');
      let busy = false;
      let again = false;
      const look = async (): Promise<void> => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          const path = p.kind === 'staff' ? '/api/staff/overview' : '/api/relative/alarms';
          const res = await o.api.request<{ alarms: Alarm[] }>('GET', path, p.token);
          if (res.status === 200) consider(p, res.body.alarms);
        } catch {
          // the next change looks again
        } finally {
          busy = false;
        }
        if (again) {
          again = false;
          await look();
        }
      };
      s.on('alarm:changed', () => void look());
    }
  }
  o.log(`${sockets.length} people online: ${count(o.people)}`);

  return {
    online: () => sockets.filter((s) => s.connected).length,
    stop: () => {
      later.stop();
      for (const s of sockets) s.close();
    },
  };
}

function count(people: Person[]): string {
  const n = (k: Person['kind']) => people.filter((p) => p.kind === k).length;
  return `${n('operator')} operators, ${n('staff')} night staff, ${n('relative')} relatives with the app`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}
