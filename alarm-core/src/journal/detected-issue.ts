/**
 * The alert itself as a DetectedIssue (vkp-DetectedIssue): what kind of alert by the national
 * alert code, for whom, when, and from which device. Shared by alarms and dispenser events.
 */
import { EVENT_TYPES, type DeviceEventType } from '../contracts/vocabulary.js';
import { CS, PROFILE } from './codes.js';
import type { DetectedIssue, Identifier, Reference } from './fhir-types.js';
import { TYPE_LABEL } from './labels.js';

/**
 * A final DetectedIssue. Also final for an alarm cancelled on the device: the alert was raised,
 * which is a fact; the cancellation is in the Encounter's status and the Composition's log.
 */
export function detectedIssue(args: {
  identifier: Identifier;
  type: DeviceEventType;
  patient: Reference;
  at: string;
  device: Reference;
  detail?: string;
}): DetectedIssue {
  const info = EVENT_TYPES[args.type];
  return {
    resourceType: 'DetectedIssue',
    meta: { profile: [PROFILE.detectedIssue] },
    identifier: [args.identifier],
    status: 'final',
    code: {
      // Every type that opens an alarm has an alert code (vocabulary.test.ts); the text stands alone otherwise.
      ...(info.alertCode
        ? {
            coding: [
              { system: CS.alertCode, code: info.alertCode, ...(info.alertDisplay ? { display: info.alertDisplay } : {}) },
            ],
          }
        : {}),
      text: TYPE_LABEL[args.type],
    },
    patient: args.patient,
    identifiedDateTime: args.at,
    author: args.device,
    ...(args.detail ? { detail: args.detail } : {}),
  };
}
