CREATE TABLE "consent_receipt_emails" (
	"record_id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "consent_receipt_emails" ADD CONSTRAINT "consent_receipt_emails_record_id_consent_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."consent_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_receipt_emails" ADD CONSTRAINT "consent_receipt_emails_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;