-- Extensions used by archive search (trigram similarity across Latin and Cyrillic transliterations).
-- Debian's postgresql-15 ships them; the embedded PGlite loads them at start.
create extension if not exists pg_trgm;
