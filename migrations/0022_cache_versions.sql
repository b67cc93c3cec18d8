-- What a process keeps in memory, checked against a number the database keeps (ADR 0018): one
-- version per school (or organisation, for trust admins' sessions), bumped in the same
-- transaction as any change to what a shared read (ADR 0008) or the session cache reads. A
-- process reads the number (one tiny statement, shared by the requests waiting for it) before it
-- uses a value it kept; if the number moved, the value is read again. So a change committed
-- through any process, job, the CLI or plain SQL is seen by every process's next request.
-- Deferred constraint triggers that bump once per scope per transaction at commit, as for the
-- consent register (migration 0007, ADR 0009): the row lock is the last lock a transaction takes.
CREATE TABLE "cache_versions" (
	"scope" uuid PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lanyard_cache_version_bump(sid uuid) RETURNS void AS $$
DECLARE
  flag text;
BEGIN
  IF sid IS NULL THEN
    RETURN;
  END IF;
  flag := 'lanyard.cache_version_' || replace(sid::text, '-', '');
  IF current_setting(flag, true) = 'bumped' THEN
    RETURN;
  END IF;
  INSERT INTO cache_versions AS v (scope, version) VALUES (sid, 1)
    ON CONFLICT (scope) DO UPDATE SET version = v.version + 1;
  PERFORM set_config(flag, 'bumped', true);
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Tables whose rows carry school_id.
CREATE OR REPLACE FUNCTION lanyard_cache_version_school() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lanyard_cache_version_bump(OLD.school_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM lanyard_cache_version_bump(NEW.school_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Sessions: a school's (staff, parents, pupils) or, for trust admins, an organisation's.
CREATE OR REPLACE FUNCTION lanyard_cache_version_session() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lanyard_cache_version_bump(COALESCE(OLD.school_id, OLD.organisation_id));
  END IF;
  IF TG_OP = 'UPDATE' THEN
    PERFORM lanyard_cache_version_bump(COALESCE(NEW.school_id, NEW.organisation_id));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lanyard_cache_version_organisation() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lanyard_cache_version_bump(OLD.organisation_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM lanyard_cache_version_bump(NEW.organisation_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lanyard_cache_version_truncated() RETURNS trigger AS $$
BEGIN
  UPDATE cache_versions SET version = version + 1;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Shared reads: the pupil list and classes, the dashboard's roll figures, imports awaiting
-- confirmation, policy profile, consent attention and campaign, devices and quarantine.
CREATE CONSTRAINT TRIGGER cache_version_pupils AFTER INSERT OR UPDATE OR DELETE
  ON pupils DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_pupil_imports AFTER INSERT OR UPDATE OF school_id, status, filename, created_at OR DELETE
  ON pupil_imports DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_policy_profiles AFTER INSERT OR UPDATE OR DELETE
  ON policy_profiles DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_policy_profile_versions AFTER INSERT OR UPDATE OR DELETE
  ON policy_profile_versions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_consent_records AFTER INSERT OR UPDATE OR DELETE
  ON consent_records DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_consent_campaigns AFTER INSERT OR UPDATE OR DELETE
  ON consent_campaigns DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_capture_devices AFTER INSERT OR UPDATE OR DELETE
  ON capture_devices DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_media_items AFTER INSERT OR UPDATE OR DELETE
  ON media_items DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
-- The session cache: the session itself (signed out, replaced, second factor done), and who it
-- resolves to (a member of staff's name, roles, being active, two-step set-up; a parent's or
-- pupil's name; a trust admin's). Sign-in inserts and the once-a-minute "last seen" touch do
-- not bump.
CREATE CONSTRAINT TRIGGER cache_version_sessions AFTER UPDATE OF principal_kind, principal_id, school_id, organisation_id, second_factor_done OR DELETE
  ON sessions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_session();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_staff AFTER UPDATE OF school_id, given_name, family_name, active, totp_enabled_at OR DELETE
  ON staff DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_staff_roles AFTER INSERT OR UPDATE OR DELETE
  ON staff_roles DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_parents AFTER UPDATE OR DELETE
  ON parents DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_organisation_admins AFTER UPDATE OF organisation_id, name OR DELETE
  ON organisation_admins DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_organisation();
--> statement-breakpoint
CREATE TRIGGER cache_version_pupils_truncated AFTER TRUNCATE ON pupils
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_pupil_imports_truncated AFTER TRUNCATE ON pupil_imports
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_policy_profiles_truncated AFTER TRUNCATE ON policy_profiles
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_policy_profile_versions_truncated AFTER TRUNCATE ON policy_profile_versions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_consent_records_truncated AFTER TRUNCATE ON consent_records
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_consent_campaigns_truncated AFTER TRUNCATE ON consent_campaigns
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_capture_devices_truncated AFTER TRUNCATE ON capture_devices
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_media_items_truncated AFTER TRUNCATE ON media_items
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_sessions_truncated AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_staff_truncated AFTER TRUNCATE ON staff
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_staff_roles_truncated AFTER TRUNCATE ON staff_roles
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_parents_truncated AFTER TRUNCATE ON parents
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
CREATE TRIGGER cache_version_organisation_admins_truncated AFTER TRUNCATE ON organisation_admins
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
