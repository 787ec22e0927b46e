/**
 * What a unit hears (SS 91100 §5–6): parses its `<mrq>`, commits the event it carries through
 * the inbox (the one door every device event takes, so a SCAIP alarm escalates like any other),
 * and decides the `<mrs>`: the error `snu` for bad input, `snu=10` for a session Trygg does not
 * know, hold or handled for a care alarm, `hbi` for a heartbeat. Throws only when the store
 * fails, so the receiver can withhold the `<mrs>` and the unit sends again.
 */
import type { ErrorCode, Inbox, Logger, Queryable } from '@trygg/alarm-core';
import { EVENT_TYPES } from '@trygg/alarm-core';
import type { ScaipSiteSettings, ScaipUnit, ScaipUnits } from '@trygg/devices';
import { classify, eventIdOf, toDeviceEvent } from './mapping.js';
import { SNU, type Mrs } from './mrs.js';
import { parseMrq, type Mrq } from './mrq.js';
import { alarmProgress, alarmReply } from './replies.js';
import type { ScaipSessions } from './sessions.js';

const SETTINGS_TTL_MS = 30_000;

export interface AnswerDeps {
  db: Queryable;
  units: Pick<ScaipUnits, 'siteSettings' | 'setHeartbeatInterval'>;
  inbox: Pick<Inbox, 'accept' | 'record' | 'expect'>;
  sessions: ScaipSessions;
  logger: Logger;
  count(what: string): void;
  /** A request that gets an error `snu`: counted and logged with its code. */
  refuse(code: ErrorCode, deviceId: string, detail: string): void;
}

export class ScaipAnswers {
  private readonly settings = new Map<string, { at: number; value: Promise<ScaipSiteSettings> }>();

  constructor(private readonly deps: AnswerDeps) {}

  private get sessions(): ScaipSessions {
    return this.deps.sessions;
  }

  /** Decides the reply, committing the event first where there is one. Throws when the store fails. */
  async answer(unit: ScaipUnit, body: Buffer): Promise<Mrs> {
    const parsed = parseMrq(body);
    if (!parsed.ok) {
      const code: ErrorCode =
        parsed.snu === SNU.mandatoryMissing
          ? 'TRYGG_ERR_SCAIP_MANDATORY'
          : parsed.snu === SNU.wrongData
            ? 'TRYGG_ERR_SCAIP_DATA'
            : 'TRYGG_ERR_SCAIP_FORMAT';
      this.deps.refuse(code, unit.deviceId, parsed.detail);
      return { ref: parsed.ref ?? '', snu: parsed.snu, ste: parsed.detail };
    }
    const mrq = parsed.mrq;
    const wrong = (detail: string): Mrs => {
      this.deps.refuse('TRYGG_ERR_SCAIP_DATA', unit.deviceId, detail);
      return { ref: mrq.ref, snu: SNU.wrongData, ste: detail };
    };
    if (unit.cid !== null && BigInt(mrq.cid) !== BigInt(unit.cid)) return wrong(`<cid> ${mrq.cid} is not this unit's`);
    const meaning = classify(mrq);
    if (meaning.kind === 'wrong') return wrong(meaning.detail);
    if (meaning.kind === 'abort' || mrq.mty === 'IN') {
      // SS 91100: RE and IN belong to a session the unit opened earlier.
      const session = await this.sessions.find(unit.deviceId, mrq.cid, mrq.ref);
      if (!session) {
        this.deps.refuse('TRYGG_ERR_SCAIP_REFERENCE', unit.deviceId, `no session with ref ${mrq.ref}`);
        return { ref: mrq.ref, snu: SNU.referenceMissing, ste: 'unknown reference' };
      }
      if (meaning.kind === 'abort') {
        await this.sessions.abort(unit.deviceId, mrq.cid, mrq.ref);
        this.deps.count('abort');
        // The person may still need help: the alarm stays and escalates; the unit has fallen back.
        this.deps.logger.warn({ deviceId: unit.deviceId, ref: mrq.ref }, 'SCAIP unit aborted its session (mty=RE)');
        return { ref: mrq.ref, snu: SNU.ok };
      }
      return this.commit(unit, mrq, meaning.type, session.sessionId, session.firstSeen);
    }
    if (meaning.type === 'heartbeat' && mrq.mty === 'PI') {
      // A heartbeat opens no session worth keeping: its id is the ref within the hour, so a
      // resend is stored once and a ref recycled another hour is simply another heartbeat.
      const hour = new Date().toISOString().slice(0, 13).replace(/[-T]/g, '');
      return this.commit(unit, mrq, meaning.type, `${mrq.ref}-${hour}`, new Date());
    }
    // What the alarm will need from the registry is looked up beside the session's round trip.
    this.deps.inbox.expect(unit.deviceId, meaning.type);
    const session = await this.sessions.touch(unit.deviceId, mrq.cid, mrq.ref);
    return this.commit(unit, mrq, meaning.type, session.sessionId, session.firstSeen);
  }

  private async commit(
    unit: ScaipUnit,
    mrq: Mrq,
    type: Parameters<typeof eventIdOf>[2],
    sessionId: string,
    firstSeen: Date,
  ): Promise<Mrs> {
    const id = eventIdOf(sessionId, mrq, type);
    const event = toDeviceEvent(mrq, type, id, new Date());
    const kind = EVENT_TYPES[type].kind;
    // Heartbeats change no alarm: stored as applied, the engine is not woken for them.
    const stored =
      kind === 'heartbeat'
        ? await this.deps.inbox.record(unit.deviceId, event)
        : await this.deps.inbox.accept(unit.deviceId, event);
    this.deps.count(stored === 'stored' ? 'events.stored' : 'events.duplicate');
    if (kind === 'heartbeat') {
      const settings = await this.siteSettings(unit.siteId);
      if (settings.heartbeatMinutes === null) return { ref: mrq.ref, snu: SNU.ok };
      // Supervision must expect heartbeats as often as the unit is told to send them.
      if (settings.heartbeatMinutes * 60 !== unit.heartbeatIntervalS) {
        await this.deps.units.setHeartbeatInterval(unit.deviceId, settings.heartbeatMinutes * 60);
        unit.heartbeatIntervalS = settings.heartbeatMinutes * 60;
      }
      return { ref: mrq.ref, snu: SNU.ok, hbi: settings.heartbeatMinutes };
    }
    if (kind !== 'alarm' || mrq.mty !== 'ME') return { ref: mrq.ref, snu: SNU.ok };
    const settings = await this.siteSettings(unit.siteId);
    const heldForMs = Date.now() - firstSeen.getTime();
    // A first request is held at once when the site holds (nobody can have accepted it yet).
    const progress =
      settings.holdMaxS > 0 && stored === 'stored' ? 'pending' : await alarmProgress(this.deps.db, unit.deviceId, id);
    return alarmReply(mrq.ref, mrq.ver, progress, settings, heldForMs);
  }

  private siteSettings(siteId: string | null): Promise<ScaipSiteSettings> {
    const key = siteId ?? '';
    const hit = this.settings.get(key);
    if (hit && Date.now() - hit.at < SETTINGS_TTL_MS) return hit.value;
    const value = this.deps.units.siteSettings(siteId);
    value.catch(() => this.settings.delete(key));
    this.settings.set(key, { at: Date.now(), value });
    return value;
  }
}
