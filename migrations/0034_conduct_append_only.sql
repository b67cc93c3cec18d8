-- The decision trail of a permission and the filtering checks are append-only (SPEC §3.7):
-- corrections add rows; nothing is overwritten or deleted.
CREATE OR REPLACE FUNCTION lanyard_conduct_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER conduct_permission_decisions_append_only BEFORE UPDATE OR DELETE ON conduct_permission_decisions
  FOR EACH ROW EXECUTE FUNCTION lanyard_conduct_append_only();
--> statement-breakpoint
CREATE TRIGGER conduct_permission_decisions_no_truncate BEFORE TRUNCATE ON conduct_permission_decisions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_conduct_append_only();
--> statement-breakpoint
CREATE TRIGGER filtering_checks_append_only BEFORE UPDATE OR DELETE ON filtering_checks
  FOR EACH ROW EXECUTE FUNCTION lanyard_conduct_append_only();
--> statement-breakpoint
CREATE TRIGGER filtering_checks_no_truncate BEFORE TRUNCATE ON filtering_checks
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_conduct_append_only();
