CREATE TABLE "capture_devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"name" text NOT NULL,
	"device_type" text NOT NULL,
	"asset_tag" text NOT NULL,
	"status" text NOT NULL,
	"registered_by" uuid,
	"registered_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "media_faces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"media_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"x" integer NOT NULL,
	"y" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"score" real,
	"source" text NOT NULL,
	"pupil_id" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "media_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"device_id" uuid,
	"device_description" text,
	"quarantine_reason" text,
	"released_by" uuid,
	"released_at" timestamp with time zone,
	"event_label" text NOT NULL,
	"swimwear" boolean DEFAULT false NOT NULL,
	"evidence_of_achievement" boolean DEFAULT false NOT NULL,
	"format" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"width" integer,
	"height" integer,
	"upload_key" text,
	"original_key" text,
	"thumbnail_key" text,
	"detected_faces" integer,
	"failure" text,
	"academic_year" text NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone NOT NULL,
	"ingested_at" timestamp with time zone,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "media_pupil_tags" (
	"school_id" uuid NOT NULL,
	"media_id" uuid NOT NULL,
	"pupil_id" uuid NOT NULL,
	"tagged_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "media_pupil_tags_media_id_pupil_id_pk" PRIMARY KEY("media_id","pupil_id")
);
--> statement-breakpoint
CREATE TABLE "media_renditions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"media_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"file_key" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"size_bytes" integer NOT NULL,
	"faces_total" integer NOT NULL,
	"faces_blurred" integer NOT NULL,
	"basis" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "media_retention_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"ran_at" timestamp with time zone NOT NULL,
	"academic_year" text NOT NULL,
	"archived" integer NOT NULL,
	"deleted" integer NOT NULL,
	"kept_as_evidence" integer NOT NULL,
	"deleted_items" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "capture_devices" ADD CONSTRAINT "capture_devices_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capture_devices" ADD CONSTRAINT "capture_devices_registered_by_staff_id_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capture_devices" ADD CONSTRAINT "capture_devices_decided_by_staff_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_faces" ADD CONSTRAINT "media_faces_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_faces" ADD CONSTRAINT "media_faces_media_id_media_items_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_faces" ADD CONSTRAINT "media_faces_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_device_id_capture_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."capture_devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_released_by_staff_id_fk" FOREIGN KEY ("released_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_uploaded_by_staff_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_pupil_tags" ADD CONSTRAINT "media_pupil_tags_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_pupil_tags" ADD CONSTRAINT "media_pupil_tags_media_id_media_items_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_pupil_tags" ADD CONSTRAINT "media_pupil_tags_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_pupil_tags" ADD CONSTRAINT "media_pupil_tags_tagged_by_staff_id_fk" FOREIGN KEY ("tagged_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_renditions" ADD CONSTRAINT "media_renditions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_renditions" ADD CONSTRAINT "media_renditions_media_id_media_items_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_renditions" ADD CONSTRAINT "media_renditions_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_retention_runs" ADD CONSTRAINT "media_retention_runs_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "capture_devices_school_tag_key" ON "capture_devices" USING btree ("school_id","asset_tag");--> statement-breakpoint
CREATE INDEX "capture_devices_school_idx" ON "capture_devices" USING btree ("school_id","status","name");--> statement-breakpoint
CREATE UNIQUE INDEX "media_faces_media_seq_key" ON "media_faces" USING btree ("media_id","seq");--> statement-breakpoint
CREATE INDEX "media_faces_pupil_idx" ON "media_faces" USING btree ("school_id","pupil_id");--> statement-breakpoint
CREATE INDEX "media_items_school_idx" ON "media_items" USING btree ("school_id","archived_at","uploaded_at");--> statement-breakpoint
CREATE INDEX "media_items_quarantine_idx" ON "media_items" USING btree ("school_id","quarantine_reason");--> statement-breakpoint
CREATE INDEX "media_items_device_idx" ON "media_items" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "media_pupil_tags_pupil_idx" ON "media_pupil_tags" USING btree ("school_id","pupil_id");--> statement-breakpoint
CREATE UNIQUE INDEX "media_renditions_media_purpose_key" ON "media_renditions" USING btree ("media_id","purpose");--> statement-breakpoint
CREATE INDEX "media_retention_runs_school_idx" ON "media_retention_runs" USING btree ("school_id","ran_at");