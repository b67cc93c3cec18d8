-- Intentionally empty. This migration first held the triggers of pupil_publication_restrictions,
-- whose CREATE TABLE had been taken out of 0029 by its author; it could not run anywhere. The table
-- and its triggers are created together in 0042_publication_restrictions.
SELECT 1;
