/**
 * The open alarms as the operator should see them, kept exact by the live stream's sequence
 * numbers: an update is applied only if it is the next one, so the list never shows a state
 * that skipped a step. Pure data, no DOM or sockets, so the rules can be tested on their own.
 */
import type { Alarm, LiveUpdate } from '@trygg/alarm-core';
import { OPEN_STATES } from '@trygg/alarm-core/rules';

export type ApplyResult = 'applied' | 'ignored' | 'gap';

function isOpen(alarm: Alarm): boolean {
  return OPEN_STATES.includes(alarm.state);
}

/** Highest priority first; among equals, the one waiting longest. */
export function compareAlarms(a: Alarm, b: Alarm): number {
  return b.priority - a.priority || Date.parse(a.openedAt) - Date.parse(b.openedAt) || a.id.localeCompare(b.id);
}

export class AlarmFeed {
  private open = new Map<string, Alarm>();
  /**
   * Newest version seen per alarm, closed ones included. A command reply can show a change
   * before its live update arrives; this keeps an older update from undoing it or bringing a
   * resolved alarm back.
   */
  private readonly versions = new Map<string, number>();
  private seq = 0;

  get lastSeq(): number {
    return this.seq;
  }

  get size(): number {
    return this.open.size;
  }

  has(id: string): boolean {
    return this.open.has(id);
  }

  get(id: string): Alarm | undefined {
    return this.open.get(id);
  }

  /** The queue in display order. */
  list(): Alarm[] {
    return [...this.open.values()].sort(compareAlarms);
  }

  /** A full picture current to `head`: the initial load and a resume snapshot. */
  replace(alarms: readonly Alarm[], head: number): void {
    const previous = this.open;
    this.open = new Map();
    for (const alarm of alarms) {
      const mine = previous.get(alarm.id);
      this.put(mine && mine.version > alarm.version ? mine : alarm);
    }
    this.seq = head;
  }

  /** One live update, by the sequence rules. */
  apply(update: LiveUpdate): ApplyResult {
    if (update.seq <= this.seq) return 'ignored';
    if (update.seq > this.seq + 1) return 'gap';
    this.put(update.alarm);
    this.seq = update.seq;
    return 'applied';
  }

  /**
   * The updates a resume returned. The server vouches that they are everything after our
   * position, so a hole between them is a sequence number this user has no update for, not a
   * loss. Returns the updates that were new.
   */
  applyDelta(updates: readonly LiveUpdate[], head: number): LiveUpdate[] {
    const fresh: LiveUpdate[] = [];
    for (const update of [...updates].sort((a, b) => a.seq - b.seq)) {
      if (update.seq <= this.seq) continue;
      this.put(update.alarm);
      this.seq = update.seq;
      fresh.push(update);
    }
    this.seq = Math.max(this.seq, head);
    return fresh;
  }

  /** The alarm a command answered with: newer than anything the stream has shown yet. */
  applyLocal(alarm: Alarm): void {
    this.put(alarm);
  }

  private put(alarm: Alarm): void {
    const known = this.versions.get(alarm.id);
    if (known !== undefined && known > alarm.version) return;
    this.versions.set(alarm.id, alarm.version);
    if (isOpen(alarm)) this.open.set(alarm.id, alarm);
    else this.open.delete(alarm.id);
  }
}
