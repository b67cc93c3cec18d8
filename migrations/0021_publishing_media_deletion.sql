ALTER TABLE "post_media" DROP CONSTRAINT "post_media_media_id_media_items_id_fk";
--> statement-breakpoint
ALTER TABLE "publication_items" DROP CONSTRAINT "publication_items_media_id_media_items_id_fk";
--> statement-breakpoint
ALTER TABLE "publication_items" DROP CONSTRAINT "publication_items_publication_id_media_id_pk";--> statement-breakpoint
ALTER TABLE "publication_items" ALTER COLUMN "media_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "publication_items" ADD CONSTRAINT "publication_items_publication_id_position_pk" PRIMARY KEY("publication_id","position");--> statement-breakpoint
ALTER TABLE "post_media" ADD CONSTRAINT "post_media_media_id_media_items_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publication_items" ADD CONSTRAINT "publication_items_media_id_media_items_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media_items"("id") ON DELETE set null ON UPDATE no action;