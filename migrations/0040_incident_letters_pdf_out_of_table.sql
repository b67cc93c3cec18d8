ALTER TABLE "incident_letters" DROP COLUMN "pdf";
