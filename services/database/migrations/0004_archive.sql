-- The archive of scanned records (issue 5, scanner pipeline): ingest runs and their job queue,
-- archive entries (the current state of each scanned document; its history is in the ledger),
-- the quarantine of files that could not be read, and the archivists' field reviews.

-- One `crvs ingest` of a directory or manifest. Re-running the same source while a run is
-- unfinished resumes that run.
create table ingest_runs (
  id uuid primary key,
  source text not null,                                       -- the DIR or manifest as given
  source_key text not null,                                   -- its resolved path: what "the same ingest" means
  languages text not null,                                    -- tesseract languages, e.g. rus+uzb+uzb_cyrl
  kind text check (kind in ('birth', 'marriage')),            -- when the operator knows it
  review_threshold real not null check (review_threshold between 0 and 1),
  created_at timestamptz not null default now(),
  enqueued_at timestamptz,                                    -- every file of the source is in ingest_jobs
  finished_at timestamptz                                     -- every job reached a final status
);
create index ingest_runs_unfinished on ingest_runs (source_key) where finished_at is null;

-- One file of a run. The first job for a SHA-256 does the work; any later file with the same bytes
-- (in this run or another) is recorded as a duplicate of it and never stored twice.
create table ingest_jobs (
  id bigint generated always as identity primary key,
  run_id uuid not null references ingest_runs (id),
  source_file text not null,                                  -- relative to the run's source
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint not null check (size_bytes >= 0),
  incoming_key text,                                          -- where the bytes wait for a worker
  kind text check (kind in ('birth', 'marriage')),
  languages text not null,
  status text not null check (status in ('queued', 'running', 'done', 'duplicate', 'quarantined')),
  duplicate_of bigint references ingest_jobs (id),
  attempts integer not null default 0,
  retry_after timestamptz,                                    -- a released job waits until then (backoff)
  lease_owner text,                                           -- worker id while running
  lease_expires_at timestamptz,                               -- a dead worker's job is claimable after this
  worker text,                                                -- the worker that finished it
  document_id uuid,
  pages integer,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (run_id, source_file),
  check ((status = 'duplicate') = (duplicate_of is not null))
);
create unique index ingest_jobs_one_primary_per_sha256 on ingest_jobs (sha256) where duplicate_of is null;
-- Claims scan these: a run's own open jobs (`crvs ingest`), or every open job (`crvs worker ocr`).
create index ingest_jobs_open_in_run on ingest_jobs (run_id, id) where status in ('queued', 'running');
create index ingest_jobs_open on ingest_jobs (id) where status in ('queued', 'running');
create index ingest_jobs_by_run on ingest_jobs (run_id, status);

-- The archive entry of a scanned document: the current version's content, as committed in the
-- ledger (record_versions, kind 'archive-entry', record_id = id). OCR text never changes; a review
-- fix changes `fields` through a new ledger version.
create table archive_documents (
  id uuid primary key,
  original_sha256 text not null unique check (original_sha256 ~ '^[0-9a-f]{64}$'),
  source_file text not null,
  kind text,
  language text,
  pages integer not null check (pages >= 1),
  ocr_text text not null,
  ocr_text_sha256 text not null,
  ocr_confidence real,
  fields jsonb not null,
  pending_review text[] not null default '{}',                -- field paths below the threshold, not yet reviewed
  review_status text not null check (review_status in ('not-needed', 'needs-review', 'reviewed')),
  objects jsonb not null,                                     -- [{key, sha256, role}]
  version integer not null,
  commitment bytea not null,
  search_text text not null,                                  -- fields and OCR text folded to one Latin form
  search_vector tsvector generated always as (to_tsvector('simple', search_text)) stored,
  ingest_job_id bigint references ingest_jobs (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index archive_documents_trigram on archive_documents using gin (search_text gin_trgm_ops);
create index archive_documents_fulltext on archive_documents using gin (search_vector);
create index archive_documents_review on archive_documents (created_at) where review_status = 'needs-review';

-- Files that could not be read, with why; the bytes are kept under `object_key`.
create table archive_quarantine (
  sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  source_file text not null,
  reason text not null,                                       -- stable code: empty-file, truncated, not-an-image, ...
  detail text not null,
  object_key text not null,
  size_bytes bigint not null,
  ingest_job_id bigint references ingest_jobs (id),
  created_at timestamptz not null default now()
);

-- Every confirmation or fix of a field by an archivist, tied to the ledger version it produced.
create table archive_reviews (
  id bigint generated always as identity primary key,
  document_id uuid not null references archive_documents (id),
  field text not null,
  action text not null check (action in ('confirm', 'fix')),
  previous_value jsonb,
  value jsonb,
  reviewer_role text not null,
  reviewer_office text,
  reviewer_subject text,
  version integer not null,
  commitment bytea not null,
  created_at timestamptz not null default now()
);
create index archive_reviews_by_document on archive_reviews (document_id, id);
