CREATE TABLE "upload_slots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"person_key" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "upload_slots_person_idx" ON "upload_slots" USING btree ("person_key");