/**
 * What a unit hears (SS 91100 §5–6): parses its `<mrq>`, commits the event it carries through
 * the inbox (the one door every device event takes, so a SCAIP alarm escalates like any other),
 * and decides the `<mrs>`: the error `snu` for bad input, `snu=10` for a session Trygg does not
 * know, hold or handled for a care alarm, `hbi` for a heartbeat. Throws only when the store
 * fails for a reason that is not the request's own (the database is away), so the receiver can
 * withhold the `<mrs>` and the unit sends again; a value the store refuses is the request's fault
 * and gets `snu=3` at once, never "try again" forever.
 */
import type { ErrorCode, Inbox, Logger, TakeOutcome } from '@trygg/alarm-core';
import { EVENT_TYPES, isDeviceFault } from '@trygg/alarm-core';
import type { ScaipSiteSettings, ScaipUnit, ScaipUnits } from '@trygg/devices';
import { classify, eventIdOf, toDeviceEvent } from './mapping.js';
import { SNU, type Mrs } from './mrs.js';
import { parseMrq, type Mrq } from './mrq.js';
import { alarmReply, type AlarmProgress } from './replies.js';
import { refKey, type ScaipSessions } from './sessions.js';

const SETTINGS_TTL_MS = 30_000;

export interface AnswerDeps {
  units: Pick<ScaipUnits, 'siteSettings' | 'setHeartbeatInterval' | 'claimCid'>;
  inbox: Pick<Inbox, 'acceptWithOutcome' | 'alarmOf' | 'record' | 'expect'>;
  sessions: ScaipSessions;
  logger: Logger;
  count(what: string): void;
  /** A request that gets an error `snu`: counted and logged with its code. */
  refuse(code: ErrorCode, deviceId: string, detail: string): void;
}

/** The reply, and the session it closes when the unit takes it (`snu=0` to an alarm or cancel). */
export interface Answer {
  mrs: Mrs;
  ends?: { cid: string; ref: string; sessionId: string };
}

export class ScaipAnswers {
  private readonly settings = new Map<string, { at: number; value: Promise<ScaipSiteSettings> }>();

  constructor(private readonly deps: AnswerDeps) {}

  private get sessions(): ScaipSessions {
    return this.deps.sessions;
  }

  /** Decides the reply, committing the event first where there is one. Throws when the store is away. */
  async answer(unit: ScaipUnit, body: Buffer): Promise<Answer> {
    const parsed = parseMrq(body);
    if (!parsed.ok) {
      const code: ErrorCode =
        parsed.snu === SNU.mandatoryMissing
          ? 'TRYGG_ERR_SCAIP_MANDATORY'
          : parsed.snu === SNU.wrongData
            ? 'TRYGG_ERR_SCAIP_DATA'
            : 'TRYGG_ERR_SCAIP_FORMAT';
      this.deps.refuse(code, unit.deviceId, parsed.detail);
      return { mrs: { ref: parsed.ref ?? '', snu: parsed.snu, ste: parsed.detail } };
    }
    const mrq = parsed.mrq;
    if (mrq.decodedAs)
      this.deps.logger.info({ deviceId: unit.deviceId, ref: mrq.ref, decodedAs: mrq.decodedAs }, 'SCAIP body decoded');
    const wrong = (detail: string, code: ErrorCode = 'TRYGG_ERR_SCAIP_DATA'): Answer => {
      this.deps.refuse(code, unit.deviceId, detail);
      return { mrs: { ref: mrq.ref, snu: SNU.wrongData, ste: detail } };
    };
    const cid = await this.cidOf(unit, mrq.cid);
    if (cid !== null && BigInt(mrq.cid) !== BigInt(cid)) return wrong(`<cid> ${mrq.cid} is not this unit's (it is ${cid})`);
    const meaning = classify(mrq);
    if (meaning.kind === 'wrong') return wrong(meaning.detail);
    try {
      if (meaning.kind === 'abort' || mrq.mty === 'IN') {
        // SS 91100: RE and IN belong to a session the unit opened earlier.
        const session = await this.sessions.find(unit.deviceId, mrq.cid, mrq.ref);
        if (!session) {
          this.deps.refuse('TRYGG_ERR_SCAIP_REFERENCE', unit.deviceId, `no session with ref ${mrq.ref}`);
          return { mrs: { ref: mrq.ref, snu: SNU.referenceMissing, ste: 'unknown reference' } };
        }
        if (meaning.kind === 'abort') {
          await this.sessions.abort(unit.deviceId, mrq.cid, mrq.ref);
          this.deps.count('abort');
          // The person may still need help: the alarm stays and escalates; the unit has fallen back.
          this.deps.logger.warn({ deviceId: unit.deviceId, ref: mrq.ref }, 'SCAIP unit aborted its session (mty=RE)');
          return { mrs: { ref: mrq.ref, snu: SNU.ok } };
        }
        return { mrs: await this.commit(unit, mrq, meaning.type, session.sessionId, session.firstSeen) };
      }
      if (meaning.type === 'heartbeat' && mrq.mty === 'PI') {
        // A heartbeat opens no session worth keeping: its id is the ref within the hour, so a
        // resend is stored once and a ref recycled another hour is simply another heartbeat.
        const hour = new Date().toISOString().slice(0, 13).replace(/[-T]/g, '');
        return { mrs: await this.commit(unit, mrq, meaning.type, `${refKey(mrq.ref)}-${hour}`, new Date()) };
      }
      // What the alarm will need from the registry is looked up beside the session's round trip.
      this.deps.inbox.expect(unit.deviceId, meaning.type);
      const session = await this.sessions.touch(unit.deviceId, mrq.cid, mrq.ref);
      const mrs = await this.commit(unit, mrq, meaning.type, session.sessionId, session.firstSeen);
      return mrs.snu === SNU.ok ? { mrs, ends: { cid: mrq.cid, ref: mrq.ref, sessionId: session.sessionId } } : { mrs };
    } catch (err) {
      // A value the database refuses (it got past the cleaning): the request's fault, for good.
      if (isDeviceFault(err)) return wrong(err.message, err.code);
      throw err;
    }
  }

  /** The unit's cid: the registered one, or the first one it sent (recorded now) when none was registered. */
  private async cidOf(unit: ScaipUnit, sent: string): Promise<string | null> {
    if (unit.cid !== null) return unit.cid;
    const cid = await this.deps.units.claimCid(unit.deviceId, sent);
    if (cid === sent) this.deps.logger.info({ deviceId: unit.deviceId, cid }, 'SCAIP unit cid recorded at first contact');
    unit.cid = cid;
    return cid;
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
    const outcome: TakeOutcome =
      kind === 'heartbeat'
        ? { result: await this.deps.inbox.record(unit.deviceId, event) }
        : await this.deps.inbox.acceptWithOutcome(unit.deviceId, event);
    // The session decides what a resend is: a hold poll may differ in its details and is still one event.
    this.deps.count(outcome.result === 'stored' ? 'events.stored' : 'events.duplicate');
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
    // Applied now: the engine said where the alarm stands (it may have joined one someone took).
    // A resend: where its alarm stands now is read back.
    const progress = progressOf(outcome.alarm !== undefined ? outcome.alarm : await this.deps.inbox.alarmOf(unit.deviceId, id));
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

/** How far an alarm the engine just left has come (see `AlarmProgress`). */
function progressOf(alarm: TakeOutcome['alarm']): AlarmProgress {
  if (alarm === undefined) return 'pending';
  if (alarm === null) return 'none';
  return alarm.state === 'open' ? 'open' : 'taken';
}
