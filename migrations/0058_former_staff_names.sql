ALTER TABLE "policy_acknowledgements" ADD COLUMN "recorded_by_name" text;--> statement-breakpoint
ALTER TABLE "policy_version_kinds" ADD COLUMN "decided_by_name" text;--> statement-breakpoint
ALTER TABLE "consent_campaigns" ADD COLUMN "started_by_name" text;--> statement-breakpoint
ALTER TABLE "consent_imports" ADD COLUMN "created_by_name" text;--> statement-breakpoint
ALTER TABLE "consent_imports" ADD COLUMN "confirmed_by_name" text;--> statement-breakpoint
ALTER TABLE "policy_texts" ADD COLUMN "created_by_name" text;--> statement-breakpoint
ALTER TABLE "pupil_imports" ADD COLUMN "created_by_name" text;--> statement-breakpoint
ALTER TABLE "pupil_imports" ADD COLUMN "confirmed_by_name" text;--> statement-breakpoint
ALTER TABLE "policy_profile_versions" ADD COLUMN "created_by_name" text;--> statement-breakpoint
ALTER TABLE "training_attendance_imports" ADD COLUMN "created_by_name" text;--> statement-breakpoint
ALTER TABLE "training_attendance_imports" ADD COLUMN "confirmed_by_name" text;--> statement-breakpoint
ALTER TABLE "training_class_lessons" ADD COLUMN "taught_by_name" text;--> statement-breakpoint
ALTER TABLE "training_materials" ADD COLUMN "uploaded_by_name" text;--> statement-breakpoint
ALTER TABLE "training_sessions" ADD COLUMN "created_by_name" text;