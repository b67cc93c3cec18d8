-- A trust's compliance figures are kept in memory per trust (compliance.service.ts), checked on
-- every request against the cache version (ADR 0018) of each of the trust's schools and of the
-- trust itself. The schools' versions cover their figures (migrations 0022, 0048, 0056, 0057);
-- the trust's version must cover which schools it has and the names the page shows: a school
-- added to the trust, moved out of it, removed or renamed, and the trust renamed or removed.
CREATE OR REPLACE FUNCTION lanyard_cache_version_organisation_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lanyard_cache_version_bump(OLD.id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM lanyard_cache_version_bump(NEW.id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_schools AFTER INSERT OR UPDATE OF name, organisation_id OR DELETE
  ON schools DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_organisation();
--> statement-breakpoint
CREATE TRIGGER cache_version_schools_truncated AFTER TRUNCATE ON schools
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_organisations AFTER UPDATE OF name OR DELETE
  ON organisations DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_organisation_row();
