ALTER TABLE "pupil_imports" ADD COLUMN "confirmed_by" uuid;--> statement-breakpoint
ALTER TABLE "pupil_imports" ADD COLUMN "whole_roll" boolean;