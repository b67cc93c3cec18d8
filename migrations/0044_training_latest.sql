CREATE TABLE "training_latest" (
	"school_id" uuid NOT NULL,
	"person_kind" text NOT NULL,
	"person_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"last_attended" date NOT NULL,
	CONSTRAINT "training_latest_school_id_person_kind_person_id_kind_pk" PRIMARY KEY("school_id","person_kind","person_id","kind")
);
--> statement-breakpoint
ALTER TABLE "training_latest" ADD CONSTRAINT "training_latest_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Backfill from the attendance already recorded.
INSERT INTO "training_latest" ("school_id", "person_kind", "person_id", "kind", "last_attended")
  SELECT school_id, person_kind, person_id, kind, max(attended_on) FROM training_attendance WHERE attended
  GROUP BY school_id, person_kind, person_id, kind;
