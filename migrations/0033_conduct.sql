CREATE TABLE "conduct_declarations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"platform" text,
	"subject_kind" text,
	"subject_pupil_id" uuid,
	"subject_parent_id" uuid,
	"subject_text" text,
	"action_taken" text,
	"details" text NOT NULL,
	"occurred_on" date,
	"declared_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"response" text,
	"incident_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conduct_permission_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"permission_id" uuid NOT NULL,
	"step" text NOT NULL,
	"staff_id" uuid,
	"reason" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conduct_permissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"type" text NOT NULL,
	"reason" text NOT NULL,
	"pupil_id" uuid,
	"purpose_key" text,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"granted_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "filtering_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"checked_on" date NOT NULL,
	"outcome" text NOT NULL,
	"findings" text NOT NULL,
	"actions" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "filtering_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"description" text NOT NULL,
	"permission_id" uuid,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "filtering_provisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"filtering_provider" text NOT NULL,
	"monitoring_provider" text NOT NULL,
	"blocked_categories" text[] NOT NULL,
	"alert_recipients" text NOT NULL,
	"notes" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conduct_declarations" ADD CONSTRAINT "conduct_declarations_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_declarations" ADD CONSTRAINT "conduct_declarations_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_declarations" ADD CONSTRAINT "conduct_declarations_subject_pupil_id_pupils_id_fk" FOREIGN KEY ("subject_pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_declarations" ADD CONSTRAINT "conduct_declarations_subject_parent_id_parents_id_fk" FOREIGN KEY ("subject_parent_id") REFERENCES "public"."parents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_declarations" ADD CONSTRAINT "conduct_declarations_reviewed_by_staff_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_permission_decisions" ADD CONSTRAINT "conduct_permission_decisions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_permission_decisions" ADD CONSTRAINT "conduct_permission_decisions_permission_id_conduct_permissions_id_fk" FOREIGN KEY ("permission_id") REFERENCES "public"."conduct_permissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_permission_decisions" ADD CONSTRAINT "conduct_permission_decisions_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_permissions" ADD CONSTRAINT "conduct_permissions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_permissions" ADD CONSTRAINT "conduct_permissions_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conduct_permissions" ADD CONSTRAINT "conduct_permissions_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filtering_checks" ADD CONSTRAINT "filtering_checks_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filtering_checks" ADD CONSTRAINT "filtering_checks_recorded_by_staff_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filtering_exceptions" ADD CONSTRAINT "filtering_exceptions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filtering_exceptions" ADD CONSTRAINT "filtering_exceptions_permission_id_conduct_permissions_id_fk" FOREIGN KEY ("permission_id") REFERENCES "public"."conduct_permissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filtering_exceptions" ADD CONSTRAINT "filtering_exceptions_recorded_by_staff_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filtering_provisions" ADD CONSTRAINT "filtering_provisions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filtering_provisions" ADD CONSTRAINT "filtering_provisions_recorded_by_staff_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conduct_declarations_staff_idx" ON "conduct_declarations" USING btree ("school_id","staff_id","declared_at");--> statement-breakpoint
CREATE INDEX "conduct_declarations_status_idx" ON "conduct_declarations" USING btree ("school_id","status","declared_at");--> statement-breakpoint
CREATE INDEX "conduct_permission_decisions_idx" ON "conduct_permission_decisions" USING btree ("school_id","permission_id","at");--> statement-breakpoint
CREATE INDEX "conduct_permissions_staff_idx" ON "conduct_permissions" USING btree ("school_id","staff_id","type","status");--> statement-breakpoint
CREATE INDEX "conduct_permissions_status_idx" ON "conduct_permissions" USING btree ("school_id","status","requested_at");--> statement-breakpoint
CREATE INDEX "filtering_checks_school_idx" ON "filtering_checks" USING btree ("school_id","kind","checked_on");--> statement-breakpoint
CREATE INDEX "filtering_exceptions_school_idx" ON "filtering_exceptions" USING btree ("school_id","starts_on");--> statement-breakpoint
CREATE INDEX "filtering_provisions_school_idx" ON "filtering_provisions" USING btree ("school_id","recorded_at");