-- An incident report, its chronology and the people named in it are kept as written (issue 14
-- item 9; Impero Backdrop's "court safe"): a correction or a case note is a new entry. Refuse
-- UPDATE, DELETE and TRUNCATE, as for the consent records (0004). incident_cases is the
-- projection rebuilt from the entries and stays writable.
CREATE OR REPLACE FUNCTION lanyard_incidents_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER incidents_no_update BEFORE UPDATE OR DELETE ON incidents
  FOR EACH ROW EXECUTE FUNCTION lanyard_incidents_append_only();
--> statement-breakpoint
CREATE TRIGGER incidents_no_truncate BEFORE TRUNCATE ON incidents
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incidents_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_entries_no_update BEFORE UPDATE OR DELETE ON incident_entries
  FOR EACH ROW EXECUTE FUNCTION lanyard_incidents_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_entries_no_truncate BEFORE TRUNCATE ON incident_entries
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incidents_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_people_no_update BEFORE UPDATE OR DELETE ON incident_people
  FOR EACH ROW EXECUTE FUNCTION lanyard_incidents_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_people_no_truncate BEFORE TRUNCATE ON incident_people
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incidents_append_only();
