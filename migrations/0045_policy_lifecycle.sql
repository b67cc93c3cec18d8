CREATE TABLE "policy_version_kinds" (
	"policy_version_id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"substantive" boolean NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"met_on" date NOT NULL,
	"attendees" text NOT NULL,
	"decisions" text NOT NULL,
	"versions" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"next_review_date" date,
	CONSTRAINT "policy_reviews_reason" CHECK ("policy_reviews"."reason" IN ('scheduled','early')),
	CONSTRAINT "policy_reviews_approval" CHECK (("policy_reviews"."approved_at" IS NULL) = ("policy_reviews"."approved_by" IS NULL) AND ("policy_reviews"."approved_at" IS NULL) = ("policy_reviews"."next_review_date" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "policy_texts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"policy_version_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"text" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policy_version_kinds" ADD CONSTRAINT "policy_version_kinds_policy_version_id_policy_profile_versions_id_fk" FOREIGN KEY ("policy_version_id") REFERENCES "public"."policy_profile_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_version_kinds" ADD CONSTRAINT "policy_version_kinds_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_reviews" ADD CONSTRAINT "policy_reviews_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_texts" ADD CONSTRAINT "policy_texts_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_texts" ADD CONSTRAINT "policy_texts_policy_version_id_policy_profile_versions_id_fk" FOREIGN KEY ("policy_version_id") REFERENCES "public"."policy_profile_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "policy_version_kinds_school" ON "policy_version_kinds" USING btree ("school_id","version");--> statement-breakpoint
CREATE INDEX "policy_reviews_school" ON "policy_reviews" USING btree ("school_id","met_on");--> statement-breakpoint
CREATE UNIQUE INDEX "policy_texts_version" ON "policy_texts" USING btree ("policy_version_id");--> statement-breakpoint
CREATE INDEX "policy_texts_school_version" ON "policy_texts" USING btree ("school_id","version");