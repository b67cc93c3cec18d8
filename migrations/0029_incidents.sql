CREATE TABLE "incident_cases" (
	"incident_id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"reporter_kind" text NOT NULL,
	"reporter_id" uuid NOT NULL,
	"status" text NOT NULL,
	"classified_at" timestamp with time zone,
	"incident_type" text,
	"category" text,
	"risk" text,
	"safeguarding" boolean NOT NULL,
	"indecent_image" boolean NOT NULL,
	"assigned_staff_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"deputy_staff_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"steps_done" integer DEFAULT 0 NOT NULL,
	"next_step_due" date,
	"outcome" text,
	"closed_at" timestamp with time zone,
	"entry_count" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"incident_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_staff_id" uuid,
	"kind" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_people" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"incident_id" uuid NOT NULL,
	"person_kind" text NOT NULL,
	"pupil_id" uuid,
	"staff_id" uuid,
	"parent_id" uuid,
	"name" text,
	"part" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"reference" text NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"reporter_kind" text NOT NULL,
	"reporter_id" uuid NOT NULL,
	"what_happened" text,
	"platform" text,
	"url" text,
	"occurred_on" date,
	"occurred_time" text,
	"occurred_where" text,
	"reporter_concern" boolean DEFAULT false NOT NULL,
	"indecent_image" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_cases" ADD CONSTRAINT "incident_cases_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_cases" ADD CONSTRAINT "incident_cases_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_entries" ADD CONSTRAINT "incident_entries_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_entries" ADD CONSTRAINT "incident_entries_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_entries" ADD CONSTRAINT "incident_entries_actor_staff_id_staff_id_fk" FOREIGN KEY ("actor_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_people" ADD CONSTRAINT "incident_people_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_people" ADD CONSTRAINT "incident_people_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_people" ADD CONSTRAINT "incident_people_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_people" ADD CONSTRAINT "incident_people_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_people" ADD CONSTRAINT "incident_people_parent_id_parents_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."parents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_cases_list_idx" ON "incident_cases" USING btree ("school_id","reported_at" DESC NULLS LAST,"incident_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "incident_cases_status_idx" ON "incident_cases" USING btree ("school_id","status","reported_at" DESC NULLS LAST,"incident_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "incident_cases_reporter_idx" ON "incident_cases" USING btree ("school_id","reporter_kind","reporter_id");--> statement-breakpoint
CREATE INDEX "incident_entries_incident_idx" ON "incident_entries" USING btree ("incident_id","at","id");--> statement-breakpoint
CREATE INDEX "incident_people_incident_idx" ON "incident_people" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "incident_people_pupil_idx" ON "incident_people" USING btree ("school_id","pupil_id");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_school_reference_key" ON "incidents" USING btree ("school_id","reference");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_school_seq_key" ON "incidents" USING btree ("school_id","seq");--> statement-breakpoint
CREATE INDEX "incidents_reporter_idx" ON "incidents" USING btree ("school_id","reporter_kind","reporter_id","reported_at");