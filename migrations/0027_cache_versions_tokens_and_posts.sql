-- More of what a process keeps in memory, checked against the school's version (ADR 0018):
-- an API token's principal (revoking a token stops it on every process's next request), and the
-- publishing items on a person's home page (posts waiting for approval, takedowns due), which
-- become shared reads. Only the columns those reads depend on bump the version: a delivery's
-- attempts and leases do not.
CREATE CONSTRAINT TRIGGER cache_version_api_tokens AFTER UPDATE OF revoked_at, school_id, staff_id OR DELETE
  ON api_tokens DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_posts AFTER INSERT OR UPDATE OF status, title, author_id OR DELETE
  ON posts DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_post_checks AFTER INSERT OR UPDATE OR DELETE
  ON post_checks DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER cache_version_takedown_tasks AFTER INSERT OR UPDATE OF state, due_at OR DELETE
  ON takedown_tasks DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
