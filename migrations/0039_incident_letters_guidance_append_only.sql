-- Incident letters and platform guidance keep their history (issue 14 items 7-9): a letter made,
-- a template reworded or a guidance page changed is a new row; none is changed or deleted.
CREATE OR REPLACE FUNCTION lanyard_incident_letters_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER incident_letters_no_update BEFORE UPDATE OR DELETE ON incident_letters
  FOR EACH ROW EXECUTE FUNCTION lanyard_incident_letters_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_letters_no_truncate BEFORE TRUNCATE ON incident_letters
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incident_letters_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_letter_emails_no_update BEFORE UPDATE OR DELETE ON incident_letter_emails
  FOR EACH ROW EXECUTE FUNCTION lanyard_incident_letters_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_letter_emails_no_truncate BEFORE TRUNCATE ON incident_letter_emails
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incident_letters_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_letter_templates_no_update BEFORE UPDATE OR DELETE ON incident_letter_template_versions
  FOR EACH ROW EXECUTE FUNCTION lanyard_incident_letters_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_letter_templates_no_truncate BEFORE TRUNCATE ON incident_letter_template_versions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incident_letters_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_guidance_no_update BEFORE UPDATE OR DELETE ON incident_guidance_versions
  FOR EACH ROW EXECUTE FUNCTION lanyard_incident_letters_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_guidance_no_truncate BEFORE TRUNCATE ON incident_guidance_versions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incident_letters_append_only();
