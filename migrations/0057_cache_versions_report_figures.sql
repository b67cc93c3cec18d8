-- The governors' monitoring report is kept in memory per school and period, checked against the
-- school's cache version (ADR 0018; docs/policy-lifecycle.md): every table its figures read must
-- bump the version. Migrations 0022, 0048, 0053 and 0056 cover the rest; these are new:
-- training_attendance: staff training as it stood on a past date reads every attendance, not
-- only training_latest (an attendance removed or its date corrected changes a past figure)
CREATE CONSTRAINT TRIGGER cache_version_training_attendance AFTER INSERT OR UPDATE OR DELETE
  ON training_attendance DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_training_attendance_truncated AFTER TRUNCATE ON training_attendance
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- staff: a leave date set or changed (who was in post on a date)
CREATE CONSTRAINT TRIGGER cache_version_staff_leave_date AFTER UPDATE OF leave_date
  ON staff DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
