-- Up Migration
-- Tells directory caches on every node that the registry changed (LISTEN trygg_directory).
-- Device heartbeats (last_seen_at) are not a change of who or where, so they do not notify.

CREATE FUNCTION trygg_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('trygg_directory', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER sites_directory AFTER INSERT OR UPDATE OR DELETE ON sites
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER residents_directory AFTER INSERT OR UPDATE OR DELETE ON residents
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER relatives_directory AFTER INSERT OR UPDATE OR DELETE ON relatives
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER staff_sites_directory AFTER INSERT OR UPDATE OR DELETE ON staff_sites
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER users_directory AFTER INSERT OR UPDATE OF display_name, roles OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER escalation_policies_directory AFTER INSERT OR UPDATE OR DELETE ON escalation_policies
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER devices_directory AFTER INSERT OR UPDATE OF kind, resident_id, site_id, status OR DELETE ON devices
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();

-- Down Migration
DROP TRIGGER devices_directory ON devices;
DROP TRIGGER escalation_policies_directory ON escalation_policies;
DROP TRIGGER users_directory ON users;
DROP TRIGGER staff_sites_directory ON staff_sites;
DROP TRIGGER relatives_directory ON relatives;
DROP TRIGGER residents_directory ON residents;
DROP TRIGGER sites_directory ON sites;
DROP FUNCTION trygg_directory_changed();
