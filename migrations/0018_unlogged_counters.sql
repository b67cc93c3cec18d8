-- Counters that are worth nothing after a crash are not written to the WAL: every /api request
-- and sign-in bumps a rate-limit row, and every upload takes a lease row. Losing them in a crash
-- only resets a minute's counts or frees a lease early (ADR 0016). Not replicated to standbys.
ALTER TABLE "rate_limit_hits" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "upload_slots" SET UNLOGGED;
