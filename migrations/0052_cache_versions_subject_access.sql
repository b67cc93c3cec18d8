-- Subject access requests are on the DPO's home page (attention items, kept per person and
-- checked against the school version, ADR 0018 addendum): a request logged, extended or closed
-- bumps the school version, so the home page shows it on the next request. Deferred, once per
-- school per transaction, as in migration 0022; TRUNCATE bumps every scope.
CREATE CONSTRAINT TRIGGER cache_version_subject_access_requests AFTER INSERT OR UPDATE OR DELETE
  ON subject_access_requests DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_subject_access_requests_truncated AFTER TRUNCATE ON subject_access_requests
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
