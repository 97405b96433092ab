-- The trigram index of registry_people (0003) takes each registration's names into its pending
-- list (GIN "fastupdate"), and whichever insert finds the list over gin_pending_list_limit merges
-- all of it into the index, inside its own transaction. With the default 4 MB, that is a merge of
-- thousands of registrations' names every few seconds under load, while the group-commit batch
-- holding it (and every registration queued behind it) waits. Merging every 256 kB spreads the
-- same work in smaller steps. tests/bench/registry.ts at 64 connections, alternating runs on the
-- shared 2-core machine: p99 106-116 ms in four runs with 4 MB, 82-113 ms (mean 97) in six with
-- 256 kB; throughput the same within the noise. A modest gain on the tail, at no cost.
-- Searching is unchanged: the pending list is searched too, and stays short.

alter index registry_people_search_name set (gin_pending_list_limit = 256);
