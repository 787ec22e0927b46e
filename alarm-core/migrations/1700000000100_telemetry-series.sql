-- Up Migration
-- Telemetry at rate: a resent sample is stored once ((device, metric, time) is its key), and
-- with TimescaleDB present the hypertable gets compression after 7 days, a retention policy
-- (2 years here; the service re-applies TRYGG_TELEMETRY_RETENTION at start) and an hourly
-- continuous aggregate. On plain PostgreSQL the same series queries run on the table itself
-- (date_bin) and the service prunes by the same retention.

DELETE FROM telemetry a USING telemetry b
 WHERE a.ctid < b.ctid AND a.device_id = b.device_id AND a.metric = b.metric AND a.time = b.time;
DROP INDEX telemetry_device_time_idx;
CREATE UNIQUE INDEX telemetry_device_metric_time_key ON telemetry (device_id, metric, time DESC);

-- A revoked or replaced device secret is news for the gateways too (they disconnect the device),
-- and so is a new heartbeat interval (they send the device its new `config`).
CREATE TRIGGER devices_credentials AFTER UPDATE OF secret_hash, heartbeat_interval_s ON devices
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
     AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    BEGIN
      EXECUTE $sql$ALTER TABLE telemetry SET (timescaledb.compress,
                     timescaledb.compress_segmentby = 'device_id, metric',
                     timescaledb.compress_orderby = 'time DESC')$sql$;
      PERFORM add_compression_policy('telemetry', interval '7 days', if_not_exists => true);
      PERFORM add_retention_policy('telemetry', interval '2 years', if_not_exists => true);
      -- WITH NO DATA: a continuous aggregate filled at creation cannot be made in a transaction.
      EXECUTE $sql$CREATE MATERIALIZED VIEW telemetry_hourly WITH (timescaledb.continuous) AS
                     SELECT time_bucket(interval '1 hour', time) AS bucket, device_id, metric,
                            avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS n
                       FROM telemetry GROUP BY 1, 2, 3 WITH NO DATA$sql$;
      PERFORM add_continuous_aggregate_policy('telemetry_hourly',
        start_offset => interval '3 days', end_offset => interval '1 hour', schedule_interval => interval '30 minutes');
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'timescaledb present but telemetry policies not applied (%)', SQLERRM;
    END;
  END IF;
END
$$;

-- Down Migration
DROP TRIGGER devices_credentials ON devices;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 'telemetry_hourly') THEN
    EXECUTE 'DROP MATERIALIZED VIEW telemetry_hourly';
  END IF;
END
$$;
DROP INDEX telemetry_device_metric_time_key;
CREATE INDEX telemetry_device_time_idx ON telemetry (device_id, metric, time DESC);
