CREATE TABLE "media_upload_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"moves" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "media_upload_batches" ADD CONSTRAINT "media_upload_batches_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;