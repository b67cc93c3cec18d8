-- A consent receipt's reference, short enough to read out over the phone (issue 9 item 7):
-- 8 characters from an alphabet without look-alikes (no 0, O, 1, I or L), unique in the school.
-- A trigger sets it on every insert, whichever code path records the statement (online form,
-- paper form, letter, import, demo), unless the row already has one (a restored backup).
CREATE OR REPLACE FUNCTION lanyard_receipt_reference() RETURNS text AS $$
DECLARE
  alphabet constant text := '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  result text := '';
BEGIN
  FOR i IN 1..8 LOOP
    result := result || substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1);
  END LOOP;
  RETURN result;
END;
$$ LANGUAGE plpgsql VOLATILE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lanyard_unused_receipt_reference(school uuid) RETURNS text AS $$
DECLARE
  candidate text;
BEGIN
  LOOP
    candidate := lanyard_receipt_reference();
    EXIT WHEN NOT EXISTS (
      SELECT 1 FROM consent_records WHERE school_id = school AND receipt_reference = candidate
    );
  END LOOP;
  RETURN candidate;
END;
$$ LANGUAGE plpgsql VOLATILE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lanyard_consent_record_reference() RETURNS trigger AS $$
BEGIN
  IF NEW.receipt_reference IS NULL THEN
    NEW.receipt_reference := lanyard_unused_receipt_reference(NEW.school_id);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER consent_records_receipt_reference BEFORE INSERT ON consent_records
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_record_reference();
--> statement-breakpoint
-- Records made before this migration get a reference too. The register is append-only, so its
-- no-update trigger is set aside for this one backfill, inside the migration's transaction.
ALTER TABLE consent_records DISABLE TRIGGER consent_records_no_update;
--> statement-breakpoint
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT id, school_id FROM consent_records WHERE receipt_reference IS NULL LOOP
    UPDATE consent_records SET receipt_reference = lanyard_unused_receipt_reference(r.school_id)
      WHERE id = r.id;
  END LOOP;
END;
$$;
--> statement-breakpoint
ALTER TABLE consent_records ENABLE TRIGGER consent_records_no_update;
