-- The consent register keeps its history (SPEC §3.2, 003 §4.4): a change is a new record.
-- Refuse UPDATE, DELETE and TRUNCATE on the records and the competence assessments.
CREATE OR REPLACE FUNCTION lanyard_consent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER consent_records_no_update BEFORE UPDATE OR DELETE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_append_only();
--> statement-breakpoint
CREATE TRIGGER consent_records_no_truncate BEFORE TRUNCATE ON consent_records
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_append_only();
--> statement-breakpoint
CREATE TRIGGER pupil_competence_no_update BEFORE UPDATE OR DELETE ON pupil_competence_assessments
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_append_only();
--> statement-breakpoint
CREATE TRIGGER pupil_competence_no_truncate BEFORE TRUNCATE ON pupil_competence_assessments
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_append_only();
