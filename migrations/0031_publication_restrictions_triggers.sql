-- A pupil's "never publish" restriction (issue 15) is part of the consent register: its history is
-- kept (append-only, like the records and competence assessments, migration 0004), and any change
-- bumps the school's register version (migration 0007) so the consent check and its cache see it.
-- The table itself is created in 0029.
CREATE TRIGGER pupil_publication_restrictions_no_update BEFORE UPDATE OR DELETE ON pupil_publication_restrictions
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_append_only();
--> statement-breakpoint
CREATE TRIGGER pupil_publication_restrictions_no_truncate BEFORE TRUNCATE ON pupil_publication_restrictions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_append_only();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER consent_register_publication_restrictions AFTER INSERT OR UPDATE OR DELETE
  ON pupil_publication_restrictions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
