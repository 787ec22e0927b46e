/**
 * What the simulator sees back, from an operator's screen: each alarm from the press (the
 * device's PUBLISH) to opened, accepted or claimed (by whom, after how long), escalated to the
 * response centre, and resolved; and a summary line per minute.
 */
import type { LiveUpdate } from '@trygg/alarm-core';

export interface TallyOptions {
  log: (line: string) => void;
  verbose: boolean;
}

export interface Summary {
  raised: number;
  opened: number;
  accepted: number;
  handled: number;
  escalated: number;
  declined: number;
  acceptedBy: Record<string, number>;
  acceptP50S: number;
  acceptP95S: number;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number) : NaN;
};

export class Tally {
  private readonly pressed = new Map<string, number>();
  private readonly alarms = new Map<string, { raisedAt: number; where: string; escalated: boolean; accepted: boolean }>();
  private readonly acceptS: number[] = [];
  private windowAcceptS: number[] = [];
  readonly s: Summary = {
    raised: 0,
    opened: 0,
    accepted: 0,
    handled: 0,
    escalated: 0,
    declined: 0,
    acceptedBy: {},
    acceptP50S: NaN,
    acceptP95S: NaN,
  };

  constructor(private readonly o: TallyOptions) {}

  /** A device pressed (the first press of an alarm counts from here). */
  raised(deviceId: string, at = Date.now()): void {
    this.s.raised++;
    if (!this.pressed.has(deviceId)) this.pressed.set(deviceId, at);
  }

  cancelled(deviceId: string): void {
    this.pressed.delete(deviceId);
  }

  update(u: LiveUpdate): void {
    const a = u.alarm;
    const where = a.subject.room
      ? `${a.subject.siteName ?? ''} ${a.subject.room}`.trim()
      : (a.subject.residentName ?? a.subject.deviceId);
    const secs = (t: number) => ((Date.now() - t) / 1000).toFixed(1);
    switch (u.entry.kind) {
      case 'opened': {
        if (a.class !== 'care') return;
        const raisedAt = this.pressed.get(a.subject.deviceId) ?? Date.parse(a.openedAt);
        this.pressed.delete(a.subject.deviceId);
        this.alarms.set(a.id, { raisedAt, where, escalated: false, accepted: false });
        this.s.opened++;
        return;
      }
      case 'declined':
        this.s.declined++;
        return;
      case 'claimed': {
        const t = this.alarms.get(a.id);
        if (!t || t.accepted) return;
        t.accepted = true;
        const s = (Date.now() - t.raisedAt) / 1000;
        this.acceptS.push(s);
        this.windowAcceptS.push(s);
        this.s.accepted++;
        const role = a.claimedBy?.role ?? 'unknown';
        this.s.acceptedBy[role] = (this.s.acceptedBy[role] ?? 0) + 1;
        if (this.o.verbose)
          this.o.log(`✓ ${t.where}: ${a.type} taken by ${a.claimedBy?.name ?? '?'} (${role}) after ${s.toFixed(1)} s`);
        return;
      }
      case 'resolved':
      case 'cancelled': {
        const t = this.alarms.get(a.id);
        if (!t) return;
        this.alarms.delete(a.id);
        this.s.handled++;
        if (this.o.verbose) this.o.log(`■ ${t.where}: ${u.entry.kind} ${secs(t.raisedAt)} s after the press`);
        return;
      }
      default: {
        // Escalated to the response centre: it is now asked (once per alarm).
        const t = this.alarms.get(a.id);
        if (!t || t.escalated) return;
        if (a.escalation.alerts.some((x) => x.recipient.kind === 'response-centre')) {
          t.escalated = true;
          this.s.escalated++;
          if (this.o.verbose && a.state === 'open')
            this.o.log(`↑ ${t.where}: to the response centre after ${secs(t.raisedAt)} s`);
        }
      }
    }
  }

  /** Open alarms the simulator is following. */
  open(): number {
    return this.alarms.size;
  }

  /** p50 / p95 time to accept over the run, and over the last window (then starts a new window). */
  line(extra: string): string {
    this.s.acceptP50S = pct(this.acceptS, 0.5);
    this.s.acceptP95S = pct(this.acceptS, 0.95);
    const w = this.windowAcceptS;
    this.windowAcceptS = [];
    const f = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : '–');
    const by = Object.entries(this.s.acceptedBy)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return (
      `presses ${this.s.raised}, alarms opened ${this.s.opened}, handled ${this.s.handled}, open ${this.alarms.size}; ` +
      `accepted ${this.s.accepted}${by ? ` (${by})` : ''}, p50 ${f(this.s.acceptP50S)} p95 ${f(this.s.acceptP95S)} ` +
      `(last minute p50 ${f(pct(w, 0.5))}); to the response centre ${this.s.escalated}; declined ${this.s.declined}; ${extra}`
    );
  }
}
