CREATE TABLE "consent_register_versions" (
	"school_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "consent_register_versions" ADD CONSTRAINT "consent_register_versions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The consent register's version per school (ADR 0009). Anything the consent check reads bumps it in
-- the same transaction, so a check that sees an unchanged number may answer from memory. Kept by
-- triggers, not by application code, so no code path (an import, a job, raw SQL) can change an
-- input without changing the number. The triggers are deferred to commit and bump once per school
-- per transaction: the lock on the school's row is taken last, after every other lock the
-- transaction holds, so writers cannot deadlock on it, and a 2,000-row import bumps once.
CREATE OR REPLACE FUNCTION lanyard_consent_register_bump(sid uuid) RETURNS void AS $$
DECLARE
  flag text;
BEGIN
  IF sid IS NULL THEN
    RETURN;
  END IF;
  flag := 'lanyard.consent_register_' || replace(sid::text, '-', '');
  IF current_setting(flag, true) = 'bumped' THEN
    RETURN;
  END IF;
  INSERT INTO consent_register_versions AS v (school_id, version) VALUES (sid, 1)
    ON CONFLICT (school_id) DO UPDATE SET version = v.version + 1;
  PERFORM set_config(flag, 'bumped', true);
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lanyard_consent_register_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lanyard_consent_register_bump(OLD.school_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM lanyard_consent_register_bump(NEW.school_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lanyard_consent_register_truncated() RETURNS trigger AS $$
BEGIN
  UPDATE consent_register_versions SET version = version + 1;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER consent_register_records AFTER INSERT OR UPDATE OR DELETE
  ON consent_records DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER consent_register_competence AFTER INSERT OR UPDATE OR DELETE
  ON pupil_competence_assessments DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER consent_register_pupil_parents AFTER INSERT OR UPDATE OR DELETE
  ON pupil_parents DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
--> statement-breakpoint
-- A parent's name appears in the check's explanations.
CREATE CONSTRAINT TRIGGER consent_register_parents AFTER UPDATE OF school_id, given_name, family_name OR DELETE
  ON parents DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER consent_register_pupils AFTER INSERT OR UPDATE OF school_id OR DELETE
  ON pupils DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER consent_register_policy AFTER INSERT OR UPDATE OF school_id, current_version OR DELETE
  ON policy_profiles DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
--> statement-breakpoint
CREATE TRIGGER consent_register_pupil_parents_truncated AFTER TRUNCATE ON pupil_parents
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_register_truncated();
--> statement-breakpoint
CREATE TRIGGER consent_register_parents_truncated AFTER TRUNCATE ON parents
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_register_truncated();
--> statement-breakpoint
CREATE TRIGGER consent_register_pupils_truncated AFTER TRUNCATE ON pupils
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_register_truncated();
--> statement-breakpoint
CREATE TRIGGER consent_register_policy_truncated AFTER TRUNCATE ON policy_profiles
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_register_truncated();
--> statement-breakpoint
INSERT INTO consent_register_versions (school_id) SELECT id FROM schools ON CONFLICT DO NOTHING;
