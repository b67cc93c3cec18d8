ALTER TABLE "publication_items" DROP CONSTRAINT "publication_items_rendition_id_media_renditions_id_fk";
