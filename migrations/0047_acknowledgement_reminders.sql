CREATE TABLE "policy_acknowledgement_reminders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"person_kind" text NOT NULL,
	"person_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policy_acknowledgement_reminders" ADD CONSTRAINT "policy_acknowledgement_reminders_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "policy_acknowledgement_reminders_key" ON "policy_acknowledgement_reminders" USING btree ("school_id","person_kind","person_id","version");