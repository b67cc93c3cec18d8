-- The name a pupil is known by, from the MIS's "Preferred Forename" / "Preferred Surname"
-- columns (null when it is the legal name): the publishing name check looks for it too, so a
-- pupil known as Alfie (legal name Alfred) is found by the "no full name in a post" check.
ALTER TABLE "pupils" ADD COLUMN "preferred_given_name" text;--> statement-breakpoint
ALTER TABLE "pupils" ADD COLUMN "preferred_family_name" text;