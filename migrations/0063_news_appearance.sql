-- The public news page's appearance (issue 12 item 7): the header band's colour, checked to give
-- white text at least 4.5:1 contrast before it is stored, and the school's logo, a PNG Lanyard
-- re-encoded (no metadata, at most 120 px high) kept in the file store under news_logo_key.
ALTER TABLE "schools" ADD COLUMN "news_colour" text;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "news_logo_key" text;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "news_logo_sha256" text;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "news_logo_width" integer;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "news_logo_height" integer;