-- Up Migration
-- TimescaleDB (2.13 and later) makes a continuous aggregate materialized-only by default: the
-- hourly buckets the series API reads (gateway/src/telemetry-series.ts, whole-hour widths) then
-- held only what the refresh policy had materialized, at most every 30 minutes and never the
-- last hour (its end_offset), so a technician looking at a device's battery of the last hours
-- saw nothing. Real-time aggregation adds the rows not materialized yet from the hypertable.
-- Plain PostgreSQL (the embedded default) has no such view: nothing to do.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
     AND EXISTS (SELECT 1 FROM pg_class WHERE relname = 'telemetry_hourly') THEN
    EXECUTE 'ALTER MATERIALIZED VIEW telemetry_hourly SET (timescaledb.materialized_only = false)';
  END IF;
END
$$;

-- Down Migration
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
     AND EXISTS (SELECT 1 FROM pg_class WHERE relname = 'telemetry_hourly') THEN
    EXECUTE 'ALTER MATERIALIZED VIEW telemetry_hourly SET (timescaledb.materialized_only = true)';
  END IF;
END
$$;
