-- A quarantined file can be read again (README, `crvs archive quarantine --retry`; a new ingest of a
-- file quarantined for a processing failure takes it again by itself). Nothing is rewritten: the
-- quarantined job and its quarantine entry stay as they were, marked `retried_at`, and a new job
-- becomes the one that does the work for that SHA-256. The quarantine therefore holds one entry
-- per quarantined job (its history) and at most one current entry per SHA-256.
alter table ingest_jobs add column retried_at timestamptz;          -- a quarantined job taken again by a later job
drop index ingest_jobs_one_primary_per_sha256;
create unique index ingest_jobs_one_primary_per_sha256 on ingest_jobs (sha256) where duplicate_of is null and retried_at is null;

-- Every entry the application wrote names its job; one that does not (made by hand) would make the
-- new primary key fail with a bare "contains null values": say which rows instead.
do $$
begin
  if exists (select from archive_quarantine where ingest_job_id is null) then
    raise exception 'archive_quarantine has entries without an ingest job (ingest_job_id is null): give each its job or remove it, then migrate again';
  end if;
end
$$;
alter table archive_quarantine add column retried_at timestamptz;   -- no longer current: the file was taken again
alter table archive_quarantine drop constraint archive_quarantine_pkey;
alter table archive_quarantine add primary key (ingest_job_id);
create unique index archive_quarantine_current on archive_quarantine (sha256) where retried_at is null;
