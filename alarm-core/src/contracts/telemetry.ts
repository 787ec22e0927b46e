/** The telemetry series API: a device's or a resident's measurements in buckets, for curves. */
import Type, { type Static } from 'typebox';
import { TELEMETRY_METRICS } from './device-event.js';

export const TelemetryMetric = Type.Enum(TELEMETRY_METRICS);

export const TelemetrySeriesQuery = Type.Object(
  {
    /** Start of the range (inclusive), ISO 8601; default 24 hours before `to`. */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    /** End of the range (exclusive), ISO 8601; default now. */
    to: Type.Optional(Type.String({ format: 'date-time' })),
    /** Bucket width: `<n>s`, `<n>m`, `<n>h` or `<n>d`; default `1h`. */
    bucket: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}[smhd]$' })),
    metric: Type.Optional(TelemetryMetric),
  },
  { additionalProperties: false },
);
export type TelemetrySeriesQuery = Static<typeof TelemetrySeriesQuery>;

export const TelemetryBucket = Type.Object({
  /** Start of the bucket. */
  t: Type.String({ format: 'date-time' }),
  deviceId: Type.String(),
  metric: TelemetryMetric,
  avg: Type.Number(),
  min: Type.Number(),
  max: Type.Number(),
  count: Type.Integer(),
});
export type TelemetryBucket = Static<typeof TelemetryBucket>;

export const TelemetryBuckets = Type.Object({
  deviceIds: Type.Array(Type.String()),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  bucketS: Type.Integer(),
  /** Ordered by device, metric, bucket. */
  points: Type.Array(TelemetryBucket),
});
export type TelemetryBuckets = Static<typeof TelemetryBuckets>;
