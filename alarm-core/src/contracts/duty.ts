/**
 * Responders on duty: where nobody, or too few, can answer an alarm now. A gap is raised for
 * the response centre when fewer operators than its minimum have the console open, and for a
 * floor of an institution when nobody is on shift there; it clears when the condition ends.
 * The leader (administrators) hears of it live and on their phones.
 */
import Type, { type Static } from 'typebox';

export const DUTY_GAP_KINDS = ['response-centre', 'floor'] as const;
export type DutyGapKind = (typeof DUTY_GAP_KINDS)[number];

export const DutyGap = Type.Object({
  kind: Type.Enum(DUTY_GAP_KINDS),
  /** The floor (null for the response centre). */
  siteId: Type.Union([Type.String(), Type.Null()]),
  /** The floor's name and its institution's, for people ("Solbakken sykehjem, 1. etasje"). */
  siteName: Type.Union([Type.String(), Type.Null()]),
  /** People on duty now, and how many there should be at least. */
  onDuty: Type.Integer({ minimum: 0 }),
  minimum: Type.Integer({ minimum: 1 }),
  /** When this gap was first seen. */
  since: Type.String({ format: 'date-time' }),
});
export type DutyGap = Static<typeof DutyGap>;

/** Every gap standing now; an empty list is the all-clear. */
export const DutyState = Type.Object({
  gaps: Type.Array(DutyGap),
  checkedAt: Type.String({ format: 'date-time' }),
});
export type DutyState = Static<typeof DutyState>;
