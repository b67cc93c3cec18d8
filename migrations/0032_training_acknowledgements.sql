
CREATE TABLE "policy_acknowledgement_supersessions" (
	"acknowledgement_id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"superseded_by_version_id" uuid NOT NULL,
	"superseded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_acknowledgements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"person_kind" text NOT NULL,
	"person_id" uuid,
	"class_name" text,
	"policy_version_id" uuid NOT NULL,
	"policy_version" integer NOT NULL,
	"acknowledged_at" timestamp with time zone NOT NULL,
	"recorded_by" uuid,
	CONSTRAINT "policy_acknowledgements_person" CHECK (("policy_acknowledgements"."person_kind" IN ('staff','parent') AND "policy_acknowledgements"."person_id" IS NOT NULL AND "policy_acknowledgements"."class_name" IS NULL) OR ("policy_acknowledgements"."person_kind" = 'pupil_class' AND "policy_acknowledgements"."person_id" IS NULL AND "policy_acknowledgements"."class_name" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "training_attendance" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"person_kind" text NOT NULL,
	"person_id" uuid NOT NULL,
	"attended" boolean NOT NULL,
	"attended_on" date NOT NULL,
	"source" text NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_attendance_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"status" text NOT NULL,
	"progress_done" integer DEFAULT 0 NOT NULL,
	"progress_total" integer DEFAULT 0 NOT NULL,
	"file_error" text,
	"preview" jsonb,
	"summary" jsonb,
	"created_by" uuid,
	"confirmed_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"committed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"heartbeat_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "training_bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"parent_id" uuid NOT NULL,
	"places" integer NOT NULL,
	"booked_at" timestamp with time zone NOT NULL,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "training_class_lessons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"class_name" text NOT NULL,
	"term_key" text NOT NULL,
	"taught_on" date NOT NULL,
	"topic" text NOT NULL,
	"taught_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_due_again" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"reference" text NOT NULL,
	"marked_on" date NOT NULL,
	"marked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_materials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"file_key" text NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_reminders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"due_on" date NOT NULL,
	"recipient" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"audience" text NOT NULL,
	"class_name" text,
	"title" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"place" text NOT NULL,
	"trainer" text NOT NULL,
	"capacity" integer,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "policy_acknowledgement_supersessions" ADD CONSTRAINT "policy_acknowledgement_supersessions_acknowledgement_id_policy_acknowledgements_id_fk" FOREIGN KEY ("acknowledgement_id") REFERENCES "public"."policy_acknowledgements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acknowledgement_supersessions" ADD CONSTRAINT "policy_acknowledgement_supersessions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acknowledgement_supersessions" ADD CONSTRAINT "policy_acknowledgement_supersessions_superseded_by_version_id_policy_profile_versions_id_fk" FOREIGN KEY ("superseded_by_version_id") REFERENCES "public"."policy_profile_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acknowledgements" ADD CONSTRAINT "policy_acknowledgements_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acknowledgements" ADD CONSTRAINT "policy_acknowledgements_policy_version_id_policy_profile_versions_id_fk" FOREIGN KEY ("policy_version_id") REFERENCES "public"."policy_profile_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_attendance" ADD CONSTRAINT "training_attendance_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_attendance" ADD CONSTRAINT "training_attendance_session_id_training_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."training_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_attendance_imports" ADD CONSTRAINT "training_attendance_imports_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_bookings" ADD CONSTRAINT "training_bookings_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_bookings" ADD CONSTRAINT "training_bookings_session_id_training_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."training_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_class_lessons" ADD CONSTRAINT "training_class_lessons_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_due_again" ADD CONSTRAINT "training_due_again_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_materials" ADD CONSTRAINT "training_materials_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_materials" ADD CONSTRAINT "training_materials_session_id_training_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."training_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_reminders" ADD CONSTRAINT "training_reminders_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_sessions" ADD CONSTRAINT "training_sessions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "policy_acknowledgement_supersessions_school" ON "policy_acknowledgement_supersessions" USING btree ("school_id");--> statement-breakpoint
CREATE UNIQUE INDEX "policy_acknowledgements_person_version" ON "policy_acknowledgements" USING btree ("policy_version_id","person_kind","person_id") WHERE "policy_acknowledgements"."person_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "policy_acknowledgements_class_version" ON "policy_acknowledgements" USING btree ("policy_version_id","class_name") WHERE "policy_acknowledgements"."class_name" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "policy_acknowledgements_school_person" ON "policy_acknowledgements" USING btree ("school_id","person_kind","person_id","acknowledged_at");--> statement-breakpoint
CREATE UNIQUE INDEX "training_attendance_person" ON "training_attendance" USING btree ("session_id","person_kind","person_id");--> statement-breakpoint
CREATE INDEX "training_attendance_compliance" ON "training_attendance" USING btree ("school_id","person_kind","kind","person_id","attended_on") WHERE "training_attendance"."attended";--> statement-breakpoint
CREATE INDEX "training_attendance_imports_school_idx" ON "training_attendance_imports" USING btree ("school_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "training_bookings_active" ON "training_bookings" USING btree ("session_id","parent_id") WHERE "training_bookings"."cancelled_at" IS NULL;--> statement-breakpoint
CREATE INDEX "training_bookings_school_parent" ON "training_bookings" USING btree ("school_id","parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "training_class_lessons_term" ON "training_class_lessons" USING btree ("school_id","class_name","term_key");--> statement-breakpoint
CREATE UNIQUE INDEX "training_due_again_once" ON "training_due_again" USING btree ("school_id","staff_id","kind","reason","reference");--> statement-breakpoint
CREATE INDEX "training_due_again_school" ON "training_due_again" USING btree ("school_id","staff_id");--> statement-breakpoint
CREATE INDEX "training_materials_session" ON "training_materials" USING btree ("school_id","session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "training_reminders_once" ON "training_reminders" USING btree ("school_id","staff_id","kind","due_on","recipient");--> statement-breakpoint
CREATE INDEX "training_sessions_school_starts" ON "training_sessions" USING btree ("school_id","starts_at");--> statement-breakpoint
CREATE INDEX "training_sessions_school_kind" ON "training_sessions" USING btree ("school_id","kind","starts_at");