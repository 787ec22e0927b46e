/** The alarm queue, one alarm with its timeline, and the commands people give. */
import type { AlarmCommand } from '@trygg/alarm-core';
import { call } from './call.js';

export const fetchOpenAlarms = (token: string) => call('listAlarms', { token });

export const fetchAlarm = (token: string, id: string) => call('getAlarm', { token, params: { id } });

/** A command (idempotent by its id): the alarm as it stands after it. */
export const sendAlarmCommand = (token: string, id: string, command: AlarmCommand) =>
  call('alarmCommand', { token, params: { id }, body: command });
