CREATE TABLE "incident_evidence" (
	"id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"incident_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"size" bigint NOT NULL,
	"media_type" text NOT NULL,
	"original_name" text NOT NULL,
	"uploaded_at" timestamp with time zone NOT NULL,
	"uploaded_by_kind" text NOT NULL,
	"uploaded_by_id" uuid NOT NULL,
	"stated_at" text,
	"stated_place" text,
	"storage_key" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_evidence" ADD CONSTRAINT "incident_evidence_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_evidence" ADD CONSTRAINT "incident_evidence_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_evidence_incident_idx" ON "incident_evidence" USING btree ("school_id","incident_id","uploaded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "incident_evidence_storage_key_key" ON "incident_evidence" USING btree ("storage_key");
