-- The compliance view keeps each school's data in memory (issue 17's benchmark; docs/training.md,
-- "Compliance"), checked against the school's cache version (ADR 0018): every table it reads
-- must bump the version. It reads each active member of staff's name, email and start date
-- (the acknowledgement is due soon during a new starter's first 30 days), so a member of staff
-- added, or their email or start date changed, bumps it too (migration 0022's trigger on staff
-- covers names, being active and deletion). Deferred, once per school per transaction.
CREATE CONSTRAINT TRIGGER cache_version_staff_roster AFTER INSERT OR UPDATE OF email, start_date
  ON staff DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
