-- The public news page's state (how many items are live and when that last changed: its ETag
-- and Last-Modified) becomes a shared read checked against the school's version (ADR 0018), so a
-- public request reads one tiny shared statement instead of two. A publication going live, being
-- removed or its dates changing bumps the version; a delivery's attempts and leases do not.
CREATE CONSTRAINT TRIGGER cache_version_publications AFTER INSERT OR UPDATE OF state, published_at, removed_at OR DELETE
  ON publications DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
