-- A subject access request finds a person's audit entries through an index (issue 16 item 5,
-- docs/subject-access.md): every id an entry names, as a GIN-indexed uuid[] computed from the
-- row. An expression index, not a column: nothing is added to the append-only rows (no UPDATE
-- past the trigger of 0001), nothing changes in what entryHash covers, and a backup's
-- `INSERT ... SELECT *` restores as before; the index is built here for the existing rows.
--
-- The ids: the entry's entity_id and actor_id when each is a lowercase UUID, and every UUID-shaped
-- substring of data::text, so that the index finds exactly the entries that
-- `entity_id = <id> or actor_id = <id> or strpos(data::text, <id>) > 0` found (for a lowercase
-- UUID, which every id Lanyard stores and looks up is; an uppercase copy was never found by strpos
-- and is not indexed). A UUID holds no '"' and nothing but [0-9a-f-], so it lies inside one piece
-- of the text between quotes and inside one run of those characters: a piece of exactly 36 is
-- checked whole (the usual id), a longer run at every offset (an id inside a path, or glued to
-- other hex, is found as strpos found it).
-- PL/pgSQL and string_to_array rather than one regexp_matches over the text: ~35 µs an entry
-- instead of ~160 µs (measured, docs/subject-access.md). IMMUTABLE: it reads only its arguments
-- (jsonb's text form is fixed), as an index expression must; built-in functions only.
CREATE FUNCTION audit_event_ids(entity_id text, actor_id text, data jsonb) RETURNS uuid[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  uuid_shape constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  ids uuid[] := '{}';
  piece text;
  run text;
  candidate text;
BEGIN
  IF entity_id ~ uuid_shape THEN ids := ids || entity_id::uuid; END IF;
  IF actor_id ~ uuid_shape THEN ids := ids || actor_id::uuid; END IF;
  FOREACH piece IN ARRAY string_to_array(data::text, '"') LOOP
    CONTINUE WHEN length(piece) < 36;
    IF length(piece) = 36 THEN
      IF piece ~ uuid_shape THEN ids := ids || piece::uuid; END IF;
      CONTINUE;
    END IF;
    FOREACH run IN ARRAY regexp_split_to_array(piece, '[^0-9a-f-]+') LOOP
      CONTINUE WHEN length(run) < 36;
      FOR i IN 1 .. length(run) - 35 LOOP
        candidate := substr(run, i, 36);
        IF candidate ~ uuid_shape THEN ids := ids || candidate::uuid; END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN ids;
END
$$;--> statement-breakpoint
CREATE INDEX "audit_events_people_idx" ON "audit_events" USING gin (audit_event_ids("entity_id", "actor_id", "data"));