/** Sends a staff member's or relative's command for an alarm (a fresh id: a retry of the request is applied once). */
import type { Alarm } from '@trygg/alarm-core';
import { sendAlarmCommand } from './data/alarms.js';
import type { PeopleCommand } from './elements/trygg-people-alarm.js';

export interface CommandDetail {
  alarmId: string;
  type: PeopleCommand;
  note?: string;
}

export async function sendPeopleCommand(token: string, d: CommandDetail): Promise<Alarm> {
  const body =
    d.type === 'resolve'
      ? { id: crypto.randomUUID(), type: d.type, note: d.note ?? '' }
      : { id: crypto.randomUUID(), type: d.type };
  const res = await sendAlarmCommand(token, d.alarmId, body);
  return res.alarm;
}
