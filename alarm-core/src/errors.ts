/**
 * Error catalogue (STYLE §5): stable codes with their HTTP status. Codes are data; messages are
 * for people. A test checks codes are unique and documented in docs/errors.md (`npm run docs:errors`).
 */

export const ERRORS = {
  TRYGG_ERR_PAYLOAD_MALFORMED: { status: 400, message: 'payload is not valid JSON' },
  TRYGG_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'payload exceeds the size limit' },
  TRYGG_ERR_SCHEMA: { status: 400, message: 'payload does not match the schema' },
  TRYGG_ERR_EVENT_TYPE_UNKNOWN: { status: 400, message: 'unknown event type' },
  TRYGG_ERR_DEVICE_UNKNOWN: { status: 404, message: 'unknown device' },
  TRYGG_ERR_DEVICE_CREDENTIALS: { status: 401, message: 'wrong device credentials' },
  TRYGG_ERR_TOPIC_FORBIDDEN: { status: 403, message: 'topic outside the device prefix' },
  TRYGG_ERR_SCAIP_FORMAT: { status: 400, message: 'SCAIP request is not a well-formed <mrq> (snu 2)' },
  TRYGG_ERR_SCAIP_MANDATORY: { status: 400, message: 'SCAIP request lacks a mandatory tag (snu 7)' },
  TRYGG_ERR_SCAIP_DATA: { status: 400, message: 'SCAIP request carries wrong data (snu 3)' },
  TRYGG_ERR_SCAIP_REFERENCE: { status: 404, message: 'SCAIP request refers to a session Trygg does not know (snu 10)' },
  TRYGG_ERR_SIP_UNAUTHENTICATED: { status: 401, message: 'SIP request without valid digest credentials of a registered unit' },
  TRYGG_ERR_DEVICE_TIME: { status: 400, message: "the device's ts names no instant (not RFC 3339)" },
  TRYGG_ERR_EVENT_DATA: { status: 422, message: 'the event holds a value the store cannot take' },
  TRYGG_ERR_EVENT_ID_REUSED: { status: 409, message: 'this event id was used before for another event' },
  TRYGG_ERR_SIP_MALFORMED: { status: 400, message: 'not a SIP message Trygg can read' },
  TRYGG_ERR_SIP_OVERLOADED: { status: 503, message: 'the SIP receiver is at its limit; try again shortly' },
  TRYGG_ERR_CLOCK_SKEW: { status: 400, message: "the device's clock is far from Trygg's" },
  TRYGG_ERR_CONNECT_RATE_LIMITED: {
    status: 429,
    message: 'too many failed connection attempts for this device id or from this address',
  },
  TRYGG_ERR_CONNECT_BUSY: { status: 503, message: 'too many credential checks waiting; connect again later' },
  TRYGG_ERR_AUTH_METHOD_UNSUPPORTED: { status: 401, message: 'MQTT 5 enhanced authentication is not supported' },
  TRYGG_ERR_DEVICE_REVOKED: { status: 403, message: 'the device was decommissioned or its secret revoked' },
  TRYGG_ERR_STORE_UNAVAILABLE: { status: 503, message: 'the database is not reachable' },
  TRYGG_ERR_CHAIN_BROKEN: {
    status: 503,
    message: 'a self-test alarm did not reach the live channel in time through an ingress (system alarm)',
  },
  TRYGG_ERR_ALARM_NOT_FOUND: { status: 404, message: 'no such alarm' },
  TRYGG_ERR_ALARM_CLAIMED: { status: 409, message: 'the alarm is already claimed by someone else' },
  TRYGG_ERR_ALARM_CLOSED: { status: 409, message: 'the alarm is already closed' },
  TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU: { status: 409, message: 'claim the alarm before resolving it' },
  TRYGG_ERR_NOT_ALERTED: { status: 403, message: 'you were not alerted for this alarm' },
  TRYGG_ERR_JOURNAL_REJECTED: { status: 502, message: 'the patient journal refused the entry' },
  TRYGG_ERR_JOURNAL_BACKLOG: { status: 503, message: 'journal entries have waited too long for delivery' },
  TRYGG_ERR_NOBODY_ON_DUTY: {
    status: 503,
    message: 'too few responders on duty (response centre below its minimum, or a floor with nobody on shift)',
  },
  TRYGG_ERR_COMMAND_ID_REUSED: { status: 409, message: 'this command id was used for another command' },
  TRYGG_ERR_UNAUTHENTICATED: { status: 401, message: 'sign in first' },
  TRYGG_ERR_FORBIDDEN: { status: 403, message: 'your role does not allow this' },
  TRYGG_ERR_LOGIN_FAILED: { status: 401, message: 'wrong username or password' },
  TRYGG_ERR_ACCOUNT_LOCKED: { status: 401, message: 'too many failed sign-ins: the account is locked for a while' },
  TRYGG_ERR_UNKNOWN_IDENTITY: { status: 403, message: 'this sign-in has no Trygg account; ask an administrator to link it' },
  TRYGG_ERR_OAUTH: { status: 400, message: 'the OAuth 2.0 token request is not valid' },
  TRYGG_ERR_UNUSUAL_ACCESS: { status: 403, message: 'one user opened many residents’ records in a short time' },
  TRYGG_ERR_RESIDENT_ACTIVE: { status: 409, message: 'the resident has an open alarm; erase after it is closed' },
  TRYGG_ERR_RATE_LIMITED: { status: 429, message: 'too many requests; wait a moment and try again' },
  TRYGG_ERR_BREAK_GLASS_LIMIT: {
    status: 429,
    message: 'you have opened as many residents’ records by breaking the glass as one person may in a while',
  },
  TRYGG_ERR_INVITATION_INVALID: { status: 401, message: 'the invitation link is unknown, used or expired' },
  TRYGG_ERR_SIGNIN_LINK_INVALID: { status: 401, message: 'the sign-in link is unknown, used or expired: ask for a new one' },
  TRYGG_ERR_REFRESH_REUSED: {
    status: 401,
    message: 'a used refresh token was presented again: its device is signed out (the token was copied)',
  },
  TRYGG_ERR_SMS_UNAVAILABLE: {
    status: 503,
    message: 'sign-in links cannot be sent by SMS here (no SMS gateway): contact the response centre',
  },
  TRYGG_ERR_VALIDATION: { status: 400, message: 'request does not match the schema' },
  TRYGG_ERR_NOT_FOUND: { status: 404, message: 'not found' },
  TRYGG_ERR_NATIONAL_ID_INVALID: { status: 400, message: 'the national id or D-number has wrong check digits or date' },
  TRYGG_ERR_NATIONAL_ID_TAKEN: { status: 409, message: 'a resident with this national id is already registered' },
  TRYGG_ERR_SERIAL_TAKEN: { status: 409, message: 'a device with this serial is already registered' },
  TRYGG_ERR_ID_TAKEN: { status: 409, message: 'this id is already in use' },
  TRYGG_ERR_SITE_PARENT_INVALID: {
    status: 400,
    message: 'a room hangs under a floor, a floor under a building, a building under an institution',
  },
  TRYGG_ERR_REFERENCE_UNKNOWN: { status: 400, message: 'the request names a resident, site, user or device that does not exist' },
  TRYGG_ERR_DEVICE_STATE: { status: 409, message: 'the device is not in a state that allows this' },
  TRYGG_ERR_TEST_RUNNING: { status: 409, message: 'a test is already running for this device' },
  TRYGG_ERR_IMPORT_INVALID: { status: 400, message: 'the import has invalid rows; nothing was imported' },
  TRYGG_ERR_NOTIFICATION_FAILED: { status: 502, message: 'the notification could not be delivered to its person' },
  TRYGG_ERR_PUSH_ENDPOINT_REFUSED: {
    status: 400,
    message: 'a push endpoint must be https on port 443 at a host that resolves only to public addresses',
  },
  TRYGG_ERR_PUSH_KEYS_INVALID: {
    status: 400,
    message: 'keys.p256dh must be a P-256 public key (65 octets, uncompressed) and keys.auth 16 octets, base64url',
  },
  TRYGG_ERR_SMPP_BIND: {
    status: 502,
    message: 'the SMS gateway refused the SMPP bind (system id, password or system type)',
  },
  TRYGG_ERR_SMPP_PDU: { status: 502, message: 'the SMS gateway sent a PDU or text Trygg cannot read' },
  TRYGG_ERR_SMS_REPLY_INVALID: {
    status: 400,
    message: 'an SMS reply is not an answer (1/JA or 2/NEI, with or without the code): the help text was sent back',
  },
  TRYGG_ERR_SMS_SENDER_UNKNOWN: {
    status: 404,
    message: 'an SMS reply came from a number that was not alerted: nothing was done',
  },
  TRYGG_ERR_CONFIG: { status: 500, message: 'invalid configuration' },
  TRYGG_ERR_PORT_UNAVAILABLE: { status: 500, message: 'a port Trygg must listen on is in use or not allowed' },
  TRYGG_ERR_INTERNAL: { status: 500, message: 'internal error' },
  TRYGG_ERR_USER_TEST_DEVICE: {
    status: 409,
    message: "only an alarm from a resident's alarm button or social-alarm unit can be marked as the user test",
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a catalogue code. The only kind of error Trygg throws on purpose. */
export class TryggError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'TryggError';
    this.code = code;
    this.status = ERRORS[code].status;
  }
}

/**
 * An error that is the sender's fault for good (a catalogue code with a 4xx status): the sender
 * is told and acknowledged, never asked to resend what can never be stored.
 */
export function isDeviceFault(err: unknown): err is TryggError {
  return err instanceof TryggError && err.status < 500;
}

/**
 * SQLSTATE class 22 (data exception: a value the column or type refuses, such as U+0000 in text
 * or a time out of range): caused by the data, so retrying the same data fails the same way.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** The envelope an error becomes when it crosses a boundary: never a stack trace. */
export function errorEnvelope(err: unknown): { status: 'error'; code: ErrorCode; message: string } {
  if (err instanceof TryggError) return { status: 'error', code: err.code, message: err.message };
  return { status: 'error', code: 'TRYGG_ERR_INTERNAL', message: ERRORS.TRYGG_ERR_INTERNAL.message };
}
