/**
 * Journal outbox entry ids. A closed alarm's entry carries the alarm's id; a device event
 * journaled on its own (a dispensed dose) gets a name-based UUID of device and event id, so a
 * resent event finds its entry instead of making a second one.
 */
import { uuidV5 } from './uuid.js';

export function deviceEventEntryId(deviceId: string, eventId: string): string {
  return uuidV5(`urn:trygg:device-event:${deviceId}/${eventId}`);
}
