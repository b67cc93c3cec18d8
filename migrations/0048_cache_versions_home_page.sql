-- The home page's items become one read per person, kept in memory and checked against the
-- school's version (ADR 0018 addendum): every table a module's `attention` reads bumps the
-- version, so a change made through any process, job, the CLI or plain SQL shows on the next
-- home page. Deferred, once per school per transaction, as in migration 0022; TRUNCATE bumps
-- every scope.
-- incident_cases: the case list counts: open, new, overdue steps, referrals to make
CREATE CONSTRAINT TRIGGER cache_version_incident_cases AFTER INSERT OR UPDATE OR DELETE
  ON incident_cases DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_incident_cases_truncated AFTER TRUNCATE ON incident_cases
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- incident_entries: a referral recorded, a step done
CREATE CONSTRAINT TRIGGER cache_version_incident_entries AFTER INSERT OR UPDATE OR DELETE
  ON incident_entries DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_incident_entries_truncated AFTER TRUNCATE ON incident_entries
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- conduct_declarations: declarations awaiting review
CREATE CONSTRAINT TRIGGER cache_version_conduct_declarations AFTER INSERT OR UPDATE OR DELETE
  ON conduct_declarations DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_conduct_declarations_truncated AFTER TRUNCATE ON conduct_declarations
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- conduct_permissions: permission requests to sign off or decide
CREATE CONSTRAINT TRIGGER cache_version_conduct_permissions AFTER INSERT OR UPDATE OR DELETE
  ON conduct_permissions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_conduct_permissions_truncated AFTER TRUNCATE ON conduct_permissions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- conduct_permission_decisions: their sign-offs and decisions
CREATE CONSTRAINT TRIGGER cache_version_conduct_permission_decisions AFTER INSERT OR UPDATE OR DELETE
  ON conduct_permission_decisions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_conduct_permission_decisions_truncated AFTER TRUNCATE ON conduct_permission_decisions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- filtering_checks: the last filtering check and review (a check due)
CREATE CONSTRAINT TRIGGER cache_version_filtering_checks AFTER INSERT OR UPDATE OR DELETE
  ON filtering_checks DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_filtering_checks_truncated AFTER TRUNCATE ON filtering_checks
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- filtering_provisions: the filtering provision
CREATE CONSTRAINT TRIGGER cache_version_filtering_provisions AFTER INSERT OR UPDATE OR DELETE
  ON filtering_provisions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_filtering_provisions_truncated AFTER TRUNCATE ON filtering_provisions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- training_sessions: sessions this week, meetings parents may book
CREATE CONSTRAINT TRIGGER cache_version_training_sessions AFTER INSERT OR UPDATE OR DELETE
  ON training_sessions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_training_sessions_truncated AFTER TRUNCATE ON training_sessions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- training_latest: each person's latest attendance (training overdue)
CREATE CONSTRAINT TRIGGER cache_version_training_latest AFTER INSERT OR UPDATE OR DELETE
  ON training_latest DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_training_latest_truncated AFTER TRUNCATE ON training_latest
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- training_due_again: training marked as due again
CREATE CONSTRAINT TRIGGER cache_version_training_due_again AFTER INSERT OR UPDATE OR DELETE
  ON training_due_again DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_training_due_again_truncated AFTER TRUNCATE ON training_due_again
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- training_class_lessons: classes' e-safety lessons
CREATE CONSTRAINT TRIGGER cache_version_training_class_lessons AFTER INSERT OR UPDATE OR DELETE
  ON training_class_lessons DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_training_class_lessons_truncated AFTER TRUNCATE ON training_class_lessons
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- training_bookings: parents' bookings (places left)
CREATE CONSTRAINT TRIGGER cache_version_training_bookings AFTER INSERT OR UPDATE OR DELETE
  ON training_bookings DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_training_bookings_truncated AFTER TRUNCATE ON training_bookings
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- policy_acknowledgements: who has acknowledged the policy
CREATE CONSTRAINT TRIGGER cache_version_policy_acknowledgements AFTER INSERT OR UPDATE OR DELETE
  ON policy_acknowledgements DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_policy_acknowledgements_truncated AFTER TRUNCATE ON policy_acknowledgements
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- policy_acknowledgement_supersessions: acknowledgements superseded
CREATE CONSTRAINT TRIGGER cache_version_policy_acknowledgement_supersessions AFTER INSERT OR UPDATE OR DELETE
  ON policy_acknowledgement_supersessions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_policy_acknowledgement_supersessions_truncated AFTER TRUNCATE ON policy_acknowledgement_supersessions
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- policy_version_kinds: substantive or minor versions (the version everyone must acknowledge)
CREATE CONSTRAINT TRIGGER cache_version_policy_version_kinds AFTER INSERT OR UPDATE OR DELETE
  ON policy_version_kinds DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_policy_version_kinds_truncated AFTER TRUNCATE ON policy_version_kinds
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
--> statement-breakpoint
-- staff_classes: a teacher's classes
CREATE CONSTRAINT TRIGGER cache_version_staff_classes AFTER INSERT OR UPDATE OR DELETE
  ON staff_classes DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION lanyard_cache_version_school();
--> statement-breakpoint
CREATE TRIGGER cache_version_staff_classes_truncated AFTER TRUNCATE ON staff_classes
  FOR EACH STATEMENT EXECUTE FUNCTION lanyard_cache_version_truncated();
