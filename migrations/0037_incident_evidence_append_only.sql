-- Evidence files of an incident are kept as uploaded (issue 14 item 3; "court safe"): a row is
-- never changed or removed, as for the incident and its entries (0030). Refuse UPDATE, DELETE
-- and TRUNCATE.
CREATE TRIGGER incident_evidence_no_update BEFORE UPDATE OR DELETE ON incident_evidence
  FOR EACH ROW EXECUTE FUNCTION lanyard_incidents_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_evidence_no_truncate BEFORE TRUNCATE ON incident_evidence
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_incidents_append_only();
