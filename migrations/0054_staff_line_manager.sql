ALTER TABLE "staff" ADD COLUMN "line_manager_id" uuid;--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_line_manager_id_staff_id_fk" FOREIGN KEY ("line_manager_id") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staff_line_manager_idx" ON "staff" USING btree ("line_manager_id");--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_line_manager_not_self" CHECK ("staff"."line_manager_id" <> "staff"."id");--> statement-breakpoint
-- A line manager is a member of staff of the same school (the service checks it too; this
-- refuses a row written any other way).
CREATE FUNCTION lanyard_staff_line_manager_same_school() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.line_manager_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM staff m WHERE m.id = NEW.line_manager_id AND m.school_id = NEW.school_id
  ) THEN
    RAISE EXCEPTION 'line manager of another school' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER staff_line_manager_same_school BEFORE INSERT OR UPDATE OF line_manager_id, school_id
  ON staff FOR EACH ROW EXECUTE FUNCTION lanyard_staff_line_manager_same_school();
