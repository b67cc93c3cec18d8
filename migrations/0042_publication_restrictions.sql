CREATE TABLE "pupil_publication_restrictions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"pupil_id" uuid NOT NULL,
	"restricted" boolean NOT NULL,
	"reason" text NOT NULL,
	"set_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pupil_publication_restrictions" ADD CONSTRAINT "pupil_publication_restrictions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_publication_restrictions" ADD CONSTRAINT "pupil_publication_restrictions_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_publication_restrictions" ADD CONSTRAINT "pupil_publication_restrictions_set_by_staff_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pupil_publication_restrictions_pupil_idx" ON "pupil_publication_restrictions" USING btree ("pupil_id","recorded_at");--> statement-breakpoint
-- A pupil's "never publish" restriction (issue 15) is part of the consent register: its history is
-- kept (append-only, like the records and competence assessments, migration 0004), and any change
-- bumps the school's register version (migration 0007) so the consent check and its cache see it.
CREATE TRIGGER pupil_publication_restrictions_no_update BEFORE UPDATE OR DELETE ON pupil_publication_restrictions
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_append_only();
--> statement-breakpoint
CREATE TRIGGER pupil_publication_restrictions_no_truncate BEFORE TRUNCATE ON pupil_publication_restrictions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_consent_append_only();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER consent_register_publication_restrictions AFTER INSERT OR UPDATE OR DELETE
  ON pupil_publication_restrictions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_consent_register_changed();
