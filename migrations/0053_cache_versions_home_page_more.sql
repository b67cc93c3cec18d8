-- More of the home page's tables bump the school's cache version (ADR 0018 addendum; migration
-- 0048 has the rest; 0052 covers subject_access_requests): the modules added after 0048 read
-- these in their `attention`, which is kept per person and checked against the version.
-- policy_reviews: the policy review due on the home page (lifecycle)
CREATE CONSTRAINT TRIGGER cache_version_policy_reviews AFTER INSERT OR UPDATE OR DELETE
  ON policy_reviews DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_policy_reviews_truncated AFTER TRUNCATE ON policy_reviews
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- channel_accounts: accounts a person keeps, and the names on takedown items (publishing)
CREATE CONSTRAINT TRIGGER cache_version_channel_accounts AFTER INSERT OR UPDATE OR DELETE
  ON channel_accounts DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_channel_accounts_truncated AFTER TRUNCATE ON channel_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
