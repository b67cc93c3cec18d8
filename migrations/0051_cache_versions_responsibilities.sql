-- Who holds a named responsibility (people.responsibilities) decides who may approve posts and
-- who is told of new incident reports (roles.approverResponsibilities,
-- incidents.reportToResponsibilities): the per-school read of the holders is kept in memory and
-- checked against the school version (ADR 0018), so a responsibility given or taken away through
-- any process, job, the CLI or plain SQL counts on the next request. Deferred, once per school per
-- transaction, as in migration 0022; TRUNCATE bumps every scope.
CREATE CONSTRAINT TRIGGER cache_version_responsibility_holders AFTER INSERT OR UPDATE OR DELETE
  ON responsibility_holders DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_responsibility_holders_truncated AFTER TRUNCATE ON responsibility_holders
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
