-- Up Migration
-- Erasing a resident's personal data from an alarm's working copy (GDPR art. 17): the resident's
-- name and address, the home's name (a home is named after its resident), and every relative's
-- name in the roster and in the alerts. Everything else (times, steps, staff, codes) is the
-- handling record and stays. Used by the erasure for alarms and for delivered journal copies.
CREATE FUNCTION trygg_scrub_alarm(doc jsonb, resident_name text, relative_name text, home_site text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_set(
           jsonb_set(
             jsonb_set(
               jsonb_set(
                 jsonb_set(doc, '{subject,residentName}', to_jsonb(resident_name)),
                 '{subject,address}', 'null'::jsonb),
               '{subject,siteName}',
               CASE WHEN doc #>> '{subject,siteId}' = home_site THEN to_jsonb(resident_name) ELSE coalesce(doc #> '{subject,siteName}', 'null'::jsonb) END),
             '{escalation,roster,relatives}',
             coalesce((SELECT jsonb_agg(r || jsonb_build_object('name', relative_name))
                         FROM jsonb_array_elements(doc #> '{escalation,roster,relatives}') r), '[]'::jsonb)),
           '{escalation,alerts}',
           coalesce((SELECT jsonb_agg(CASE WHEN a #>> '{recipient,kind}' = 'relative'
                                           THEN jsonb_set(a, '{recipient,name}', to_jsonb(relative_name)) ELSE a END)
                       FROM jsonb_array_elements(doc #> '{escalation,alerts}') a), '[]'::jsonb))
$$;

-- Down Migration
DROP FUNCTION trygg_scrub_alarm(jsonb, text, text, text);
