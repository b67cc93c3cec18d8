ALTER TABLE "takedown_tasks" ADD COLUMN "done_note" text;--> statement-breakpoint
ALTER TABLE "takedown_tasks" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "takedown_tasks" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "takedown_tasks_retry_idx" ON "takedown_tasks" USING btree ("next_attempt_at") WHERE "takedown_tasks"."automatic" and "takedown_tasks"."state" <> 'done';