DROP INDEX "incident_entries_incident_idx";--> statement-breakpoint
ALTER TABLE "incident_entries" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "incident_entries_case_seq_idx" ON "incident_entries" USING btree ("incident_id","seq");--> statement-breakpoint
CREATE INDEX "incident_entries_school_kind_idx" ON "incident_entries" USING btree ("school_id","kind","at");