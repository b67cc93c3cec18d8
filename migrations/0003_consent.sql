CREATE TABLE "consent_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"period_key" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"started_at" timestamp with time zone NOT NULL,
	"started_by" uuid,
	"reminder_days" integer NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "consent_drafts" (
	"school_id" uuid NOT NULL,
	"pupil_id" uuid NOT NULL,
	"decider_kind" text NOT NULL,
	"decider_id" uuid NOT NULL,
	"period_key" text NOT NULL,
	"answers" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "consent_drafts_pupil_id_decider_kind_decider_id_period_key_pk" PRIMARY KEY("pupil_id","decider_kind","decider_id","period_key")
);
--> statement-breakpoint
CREATE TABLE "consent_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"status" text NOT NULL,
	"file_error" text,
	"preview" jsonb,
	"summary" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"committed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "consent_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"pupil_id" uuid NOT NULL,
	"period_key" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"decider_kind" text NOT NULL,
	"decider_parent_id" uuid,
	"decisions" jsonb NOT NULL,
	"method" text NOT NULL,
	"kind" text NOT NULL,
	"decided_on" date NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"recorded_by_kind" text NOT NULL,
	"recorded_by_id" uuid,
	"evidence_key" text,
	"evidence_filename" text,
	"evidence_content_type" text,
	"evidence_sha256" text,
	"import_id" uuid,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "consent_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"parent_id" uuid NOT NULL,
	"first_sent_at" timestamp with time zone,
	"last_sent_at" timestamp with time zone,
	"reminders_sent" integer DEFAULT 0 NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pupil_competence_assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"pupil_id" uuid NOT NULL,
	"competent" boolean NOT NULL,
	"assessed_by" uuid NOT NULL,
	"assessed_on" date NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "domain_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"handled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "staff_classes" (
	"school_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"class_name" text NOT NULL,
	CONSTRAINT "staff_classes_staff_id_class_name_pk" PRIMARY KEY("staff_id","class_name")
);
--> statement-breakpoint
ALTER TABLE "consent_campaigns" ADD CONSTRAINT "consent_campaigns_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_drafts" ADD CONSTRAINT "consent_drafts_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_drafts" ADD CONSTRAINT "consent_drafts_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_imports" ADD CONSTRAINT "consent_imports_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_decider_parent_id_parents_id_fk" FOREIGN KEY ("decider_parent_id") REFERENCES "public"."parents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_requests" ADD CONSTRAINT "consent_requests_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_requests" ADD CONSTRAINT "consent_requests_campaign_id_consent_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."consent_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_requests" ADD CONSTRAINT "consent_requests_parent_id_parents_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."parents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_competence_assessments" ADD CONSTRAINT "pupil_competence_assessments_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_competence_assessments" ADD CONSTRAINT "pupil_competence_assessments_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_competence_assessments" ADD CONSTRAINT "pupil_competence_assessments_assessed_by_staff_id_fk" FOREIGN KEY ("assessed_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_events" ADD CONSTRAINT "domain_events_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_classes" ADD CONSTRAINT "staff_classes_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_classes" ADD CONSTRAINT "staff_classes_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "consent_campaigns_school_period_key" ON "consent_campaigns" USING btree ("school_id","period_key");--> statement-breakpoint
CREATE INDEX "consent_imports_school_idx" ON "consent_imports" USING btree ("school_id","created_at");--> statement-breakpoint
CREATE INDEX "consent_records_pupil_idx" ON "consent_records" USING btree ("pupil_id","recorded_at");--> statement-breakpoint
CREATE INDEX "consent_records_school_recorded_idx" ON "consent_records" USING btree ("school_id","recorded_at");--> statement-breakpoint
CREATE INDEX "consent_records_school_period_idx" ON "consent_records" USING btree ("school_id","period_key","pupil_id");--> statement-breakpoint
CREATE UNIQUE INDEX "consent_requests_campaign_parent_key" ON "consent_requests" USING btree ("campaign_id","parent_id");--> statement-breakpoint
CREATE INDEX "consent_requests_school_idx" ON "consent_requests" USING btree ("school_id","campaign_id");--> statement-breakpoint
CREATE INDEX "pupil_competence_pupil_idx" ON "pupil_competence_assessments" USING btree ("pupil_id","recorded_at");--> statement-breakpoint
CREATE INDEX "domain_events_school_type_idx" ON "domain_events" USING btree ("school_id","type","id");--> statement-breakpoint
CREATE INDEX "domain_events_unhandled_idx" ON "domain_events" USING btree ("type","id");--> statement-breakpoint
CREATE INDEX "staff_classes_school_idx" ON "staff_classes" USING btree ("school_id","class_name");