-- Up Migration
-- The service's own events (issue 20): the self-test's chain broke or was late, and was restored.
-- Not an alarm of a person: never in a queue, a person's app, statistics or the journal; the
-- response centre and administrators see it as a banner and administrators get a push.
CREATE TABLE service_events (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  kind    text NOT NULL CHECK (kind IN ('chain-failing', 'chain-late', 'chain-restored')),
  -- The ingresses that were not ok ('mqtt', 'sip-udp' …), empty when restored.
  ingresses text[] NOT NULL DEFAULT '{}',
  detail  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX service_events_at_idx ON service_events (at DESC);

-- Down Migration
DROP TABLE service_events;
