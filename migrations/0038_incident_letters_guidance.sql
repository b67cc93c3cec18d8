CREATE TABLE "incident_letter_emails" (
	"letter_id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"sent_to" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_letter_template_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"template_key" text NOT NULL,
	"title" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"default_ask" text NOT NULL,
	"note" text NOT NULL,
	"edited_by" uuid NOT NULL,
	"edited_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_letters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"incident_id" uuid NOT NULL,
	"template_key" text NOT NULL,
	"template_version_id" uuid,
	"title" text NOT NULL,
	"recipient_name" text NOT NULL,
	"recipient_email" text,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"pdf" "bytea" NOT NULL,
	"pdf_sha256" text NOT NULL,
	"pdf_size" integer NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_guidance_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"summary" text NOT NULL,
	"steps" jsonb NOT NULL,
	"links" jsonb NOT NULL,
	"note" text NOT NULL,
	"restored_default_of" text,
	"edited_by" uuid NOT NULL,
	"edited_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_letter_emails" ADD CONSTRAINT "incident_letter_emails_letter_id_incident_letters_id_fk" FOREIGN KEY ("letter_id") REFERENCES "public"."incident_letters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_letter_emails" ADD CONSTRAINT "incident_letter_emails_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_letter_template_versions" ADD CONSTRAINT "incident_letter_template_versions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_letter_template_versions" ADD CONSTRAINT "incident_letter_template_versions_edited_by_staff_id_fk" FOREIGN KEY ("edited_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_letters" ADD CONSTRAINT "incident_letters_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_letters" ADD CONSTRAINT "incident_letters_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_letters" ADD CONSTRAINT "incident_letters_template_version_id_incident_letter_template_versions_id_fk" FOREIGN KEY ("template_version_id") REFERENCES "public"."incident_letter_template_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_letters" ADD CONSTRAINT "incident_letters_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_guidance_versions" ADD CONSTRAINT "incident_guidance_versions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_guidance_versions" ADD CONSTRAINT "incident_guidance_versions_edited_by_staff_id_fk" FOREIGN KEY ("edited_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_letter_template_versions_idx" ON "incident_letter_template_versions" USING btree ("school_id","template_key","edited_at");--> statement-breakpoint
CREATE INDEX "incident_letters_incident_idx" ON "incident_letters" USING btree ("school_id","incident_id","created_at");--> statement-breakpoint
CREATE INDEX "incident_guidance_versions_idx" ON "incident_guidance_versions" USING btree ("school_id","platform","edited_at");
