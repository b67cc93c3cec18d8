CREATE TABLE "retention_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"ran_at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"counts" jsonb NOT NULL,
	"files_deleted" integer DEFAULT 0 NOT NULL,
	"items" jsonb NOT NULL,
	"subject_kind" text,
	"subject_id" uuid,
	"kept" jsonb,
	"ran_by" uuid
);
--> statement-breakpoint
CREATE TABLE "subject_access_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"subject_kind" text NOT NULL,
	"pupil_id" uuid,
	"parent_id" uuid,
	"requester_name" text NOT NULL,
	"requester_relationship" text NOT NULL,
	"received_on" date NOT NULL,
	"identity_checked" boolean DEFAULT false NOT NULL,
	"identity_method" text,
	"due_on" date NOT NULL,
	"extended_due_on" date,
	"extension_reason" text,
	"status" text NOT NULL,
	"logged_by" uuid,
	"logged_at" timestamp with time zone NOT NULL,
	"last_produced_at" timestamp with time zone,
	"times_produced" integer DEFAULT 0 NOT NULL,
	"last_produced_counts" jsonb,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"closing_note" text
);
--> statement-breakpoint
ALTER TABLE "retention_runs" ADD CONSTRAINT "retention_runs_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_runs" ADD CONSTRAINT "retention_runs_ran_by_staff_id_fk" FOREIGN KEY ("ran_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_access_requests" ADD CONSTRAINT "subject_access_requests_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_access_requests" ADD CONSTRAINT "subject_access_requests_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_access_requests" ADD CONSTRAINT "subject_access_requests_parent_id_parents_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."parents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_access_requests" ADD CONSTRAINT "subject_access_requests_logged_by_staff_id_fk" FOREIGN KEY ("logged_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_access_requests" ADD CONSTRAINT "subject_access_requests_closed_by_staff_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "retention_runs_school_idx" ON "retention_runs" USING btree ("school_id","ran_at");--> statement-breakpoint
CREATE INDEX "subject_access_requests_school_idx" ON "subject_access_requests" USING btree ("school_id","status","due_on");