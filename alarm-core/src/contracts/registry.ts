/**
 * The registry's wire: residents, relatives, sites, staff shifts, devices, installations and
 * their verified tests, as the REST API, the CLI, the CSV import and the technician app see them.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Id } from './device-event.js';
import { RoleSchema } from './auth.js';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const Stamp = Type.String({ format: 'date-time' });

/** Who recorded a consent, and when. */
export const Consent = Type.Object({ at: Stamp, by: Type.String() });
export type Consent = Static<typeof Consent>;

export const ResidentInput = Type.Object(
  {
    id: Type.Optional(Id),
    name: Text(128),
    /** Norwegian fødselsnummer or D-number (11 digits, check digits verified). */
    nationalId: Type.Optional(Nullable(Type.String({ maxLength: 11 }))),
    siteId: Id,
    address: Type.Optional(Nullable(Text(256))),
    keySafe: Type.Optional(Nullable(Text(256))),
    digitalLock: Type.Optional(Nullable(Text(256))),
    notes: Type.Optional(Nullable(Text(2000))),
    language: Type.Optional(Type.Enum(['nb', 'nn', 'sv', 'en', 'se', 'da', 'fi'])),
    /** True records consent now, by the signed-in person (or the CLI's operator). */
    consent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ResidentInput = Static<typeof ResidentInput>;

/** A change to a resident: only the fields given change (null clears an optional one). */
export const ResidentUpdate = Type.Object(
  {
    name: Type.Optional(Text(128)),
    nationalId: Type.Optional(Nullable(Type.String({ maxLength: 11 }))),
    siteId: Type.Optional(Id),
    address: Type.Optional(Nullable(Text(256))),
    keySafe: Type.Optional(Nullable(Text(256))),
    digitalLock: Type.Optional(Nullable(Text(256))),
    notes: Type.Optional(Nullable(Text(2000))),
    language: Type.Optional(Type.Enum(['nb', 'nn', 'sv', 'en', 'se', 'da', 'fi'])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ResidentUpdate = Static<typeof ResidentUpdate>;

export const Resident = Type.Object({
  id: Type.String(),
  name: Type.String(),
  nationalId: Nullable(Type.String()),
  siteId: Type.String(),
  address: Nullable(Type.String()),
  keySafe: Nullable(Type.String()),
  digitalLock: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  language: Type.String(),
  consent: Nullable(Consent),
});
export type Resident = Static<typeof Resident>;

/** A daily window (local time) in which a relative is not asked; may wrap midnight. */
export const Unavailable = Type.Object({ from: Time, to: Time }, { additionalProperties: false });
export type Unavailable = Static<typeof Unavailable>;

export const RelativeInput = Type.Object(
  {
    id: Type.Optional(Id),
    residentId: Id,
    name: Text(128),
    phone: Type.Optional(Nullable(Type.String({ pattern: '^\\+?[0-9 ]{5,20}$' }))),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 256 }))),
    relation: Type.Optional(Nullable(Text(64))),
    order: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
    /** `{ from: "22:00", to: "07:00" }` is "not at night". */
    unavailable: Type.Optional(Nullable(Unavailable)),
    userId: Type.Optional(Nullable(Id)),
    /** The resident's consent to alert this relative, recorded now by the signed-in person. */
    consent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RelativeInput = Static<typeof RelativeInput>;

/** A change to a relative: only the fields given change; `consent` true records it now, false withdraws it. */
export const RelativeUpdate = Type.Object(
  {
    name: Type.Optional(Text(128)),
    phone: Type.Optional(Nullable(Type.String({ pattern: '^\\+?[0-9 ]{5,20}$' }))),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 256 }))),
    relation: Type.Optional(Nullable(Text(64))),
    order: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
    unavailable: Type.Optional(Nullable(Unavailable)),
    userId: Type.Optional(Nullable(Id)),
    consent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type RelativeUpdate = Static<typeof RelativeUpdate>;

export const Relative = Type.Object({
  id: Type.String(),
  residentId: Type.String(),
  name: Type.String(),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  relation: Nullable(Type.String()),
  order: Type.Integer(),
  unavailable: Nullable(Unavailable),
  userId: Nullable(Type.String()),
  consent: Nullable(Consent),
});
export type Relative = Static<typeof Relative>;

export const SITE_KINDS = ['home', 'institution', 'building', 'floor', 'room'] as const;
export const SiteInput = Type.Object(
  {
    id: Type.Optional(Id),
    kind: Type.Enum(SITE_KINDS),
    parentId: Type.Optional(Nullable(Id)),
    name: Text(128),
    address: Type.Optional(Nullable(Text(256))),
  },
  { additionalProperties: false },
);
export type SiteInput = Static<typeof SiteInput>;
export const Site = Type.Object({
  id: Type.String(),
  kind: Type.Enum(SITE_KINDS),
  parentId: Nullable(Type.String()),
  name: Type.String(),
  address: Nullable(Type.String()),
});
export type Site = Static<typeof Site>;

export const StaffInput = Type.Object(
  {
    id: Type.Optional(Id),
    username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[a-z0-9._-]+$' }),
    displayName: Text(128),
    roles: Type.Array(RoleSchema, { minItems: 1, uniqueItems: true }),
    siteIds: Type.Optional(Type.Array(Id, { uniqueItems: true })),
    locale: Type.Optional(Type.Enum(['nb', 'sv', 'en'])),
    /** Set a password; without one a random one is made and returned once. */
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type StaffInput = Static<typeof StaffInput>;
export const Staff = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(RoleSchema),
  siteIds: Type.Array(Type.String()),
  locale: Type.String(),
});
export type Staff = Static<typeof Staff>;

export const ShiftInput = Type.Object(
  { userId: Id, siteId: Id, startsAt: Stamp, endsAt: Stamp },
  { additionalProperties: false },
);
export type ShiftInput = Static<typeof ShiftInput>;
export const Shift = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  siteId: Type.String(),
  startsAt: Stamp,
  endsAt: Stamp,
});
export type Shift = Static<typeof Shift>;

export const DEVICE_STATUSES = ['in_stock', 'installed', 'active', 'faulty', 'returned'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];
export const DEVICE_PROTOCOLS = ['mqtt', 'scaip'] as const;

export const DeviceInput = Type.Object(
  {
    id: Type.Optional(Id),
    serial: Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]*$' }),
    kind: Type.String({ minLength: 2, maxLength: 32, pattern: '^[a-z][a-z0-9-]*$' }),
    protocol: Type.Enum(DEVICE_PROTOCOLS),
    vendor: Type.Optional(Nullable(Text(64))),
    model: Type.Optional(Nullable(Text(64))),
    firmware: Type.Optional(Nullable(Text(64))),
    heartbeatIntervalS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 })),
  },
  { additionalProperties: false },
);
export type DeviceInput = Static<typeof DeviceInput>;

/** A change to a device's details (firmware after an update, heartbeat interval, …). */
export const DeviceUpdate = Type.Object(
  {
    vendor: Type.Optional(Nullable(Text(64))),
    model: Type.Optional(Nullable(Text(64))),
    firmware: Type.Optional(Nullable(Text(64))),
    heartbeatIntervalS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type DeviceUpdate = Static<typeof DeviceUpdate>;

export const Device = Type.Object({
  id: Type.String(),
  serial: Type.String(),
  kind: Type.String(),
  protocol: Type.Enum(DEVICE_PROTOCOLS),
  vendor: Nullable(Type.String()),
  model: Nullable(Type.String()),
  firmware: Nullable(Type.String()),
  heartbeatIntervalS: Type.Integer(),
  status: Type.Enum(DEVICE_STATUSES),
  residentId: Nullable(Type.String()),
  siteId: Nullable(Type.String()),
  lastSeenAt: Nullable(Stamp),
  battery: Nullable(Type.Number()),
  rssi: Nullable(Type.Number()),
  /** Why the device needs a technician, if it does. */
  attention: Nullable(Type.Enum(['faulty', 'silent', 'never-heard', 'battery-low', 'weak-signal', 'untested'])),
});
export type Device = Static<typeof Device>;

/**
 * Credentials, shown once. MQTT: username = device id, password = secret. SCAIP: SIP digest
 * (RFC 3261 §22) with username = device id, realm `trygg`; Trygg stores HA1 = MD5(user:realm:password).
 */
export const DeviceCredentials = Type.Union([
  Type.Object({ protocol: Type.Literal('mqtt'), username: Type.String(), secret: Type.String() }),
  Type.Object({ protocol: Type.Literal('scaip'), username: Type.String(), realm: Type.String(), password: Type.String() }),
]);
export type DeviceCredentials = Static<typeof DeviceCredentials>;

export const InstallationInput = Type.Object(
  {
    deviceId: Id,
    residentId: Type.Optional(Id),
    siteId: Type.Optional(Id),
    /** Where in the home, e.g. "bathroom, by the door". */
    location: Type.Optional(Text(128)),
    settings: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
  },
  { additionalProperties: false },
);
export type InstallationInput = Static<typeof InstallationInput>;

export const Installation = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  residentId: Nullable(Type.String()),
  siteId: Nullable(Type.String()),
  location: Nullable(Type.String()),
  settings: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  installedBy: Nullable(Type.String()),
  installedAt: Stamp,
  endedAt: Nullable(Stamp),
  replacesId: Nullable(Type.String()),
});
export type Installation = Static<typeof Installation>;

export const INSTALLATION_TEST_STATUSES = ['running', 'passed', 'failed'] as const;
export const InstallationTest = Type.Object({
  id: Type.String(),
  installationId: Type.String(),
  deviceId: Type.String(),
  status: Type.Enum(INSTALLATION_TEST_STATUSES),
  startedAt: Stamp,
  deadline: Stamp,
  finishedAt: Nullable(Stamp),
  durationMs: Nullable(Type.Integer()),
  battery: Nullable(Type.Number()),
  rssi: Nullable(Type.Number()),
  deviceStatus: Type.Enum(DEVICE_STATUSES),
});
export type InstallationTest = Static<typeof InstallationTest>;

export const TelemetryPoint = Type.Object({ t: Stamp, v: Type.Number() });
export const TelemetrySeries = Type.Object({
  deviceId: Type.String(),
  lastSeenAt: Nullable(Stamp),
  battery: Type.Array(TelemetryPoint),
  rssi: Type.Array(TelemetryPoint),
});
export type TelemetrySeries = Static<typeof TelemetrySeries>;

/** One refused row of an import: its line number (1 = header) and every reason. */
export const ImportRowError = Type.Object({ line: Type.Integer(), errors: Type.Array(Type.String()) });
export const ImportReport = Type.Object({
  kind: Type.Enum(['residents', 'devices']),
  dryRun: Type.Boolean(),
  rows: Type.Integer(),
  imported: Type.Integer(),
  invalid: Type.Array(ImportRowError),
  /** Credentials of imported devices, shown once. */
  credentials: Type.Array(Type.Object({ deviceId: Type.String(), credentials: DeviceCredentials })),
});
export type ImportReport = Static<typeof ImportReport>;
