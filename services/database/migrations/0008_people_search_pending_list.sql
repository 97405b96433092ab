-- The trigram index of registry_people (0003) takes each registration's names into its pending
-- list (GIN "fastupdate"), and whichever insert finds the list over gin_pending_list_limit merges
-- all of it into the index, inside its own transaction. With the default 4 MB, that is a merge of
-- thousands of registrations' names every few seconds under load, while the group-commit batch
-- holding it (and every registration queued behind it) waits: the slowest registrations of
-- tests/bench/registry.ts at 64 connections (p99 106-118 ms) were those. Merging every 256 kB
-- spreads the same work in small steps (p99 82-95 ms in the same runs, throughput unchanged).
-- Searching is unchanged: the pending list is searched too, and stays short.

alter index registry_people_search_name set (gin_pending_list_limit = 256);
