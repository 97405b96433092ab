-- The ledger (DESIGN.md, "The integrity scheme"): record versions, Merkle batches, their leaves
-- and proofs, and where each batch was anchored. Ledger rows are append-only: triggers refuse
-- UPDATE, DELETE and TRUNCATE, so a change behind the application's back must first go around
-- the database's own rules (and is then caught by `crvs audit`).

create table record_versions (
  id bigint generated always as identity primary key,       -- commit order
  record_id uuid not null,
  version integer not null check (version >= 1),
  kind text not null,
  content jsonb not null,                                     -- the committed document (RFC 8785 of this)
  salt bytea not null check (length(salt) = 32),
  commitment bytea not null unique check (length(commitment) = 32),
  leaf bytea not null check (length(leaf) = 32),
  previous_commitment bytea references record_versions (commitment),
  created_at timestamptz not null default now(),
  unique (record_id, version),
  check ((version = 1) = (previous_commitment is null))
);

-- Versions waiting for a batch. Not a ledger row: sealing moves a version from here into
-- batch_leaves in the same transaction, so nothing is lost and nothing is sealed twice.
create table ledger_pending (
  version_id bigint primary key references record_versions (id),
  enqueued_at timestamptz not null default now()
);

create table batches (
  id bigint primary key check (id >= 1),                      -- 1, 2, 3, ... as on chain
  root bytea not null check (length(root) = 32),
  leaf_count integer not null check (leaf_count >= 1),
  sealed_at timestamptz not null default now()
);

create table batch_leaves (
  batch_id bigint not null references batches (id),
  position integer not null check (position >= 0),
  version_id bigint not null unique references record_versions (id),
  proof bytea not null check (length(proof) % 32 = 0),       -- sibling hashes, 32 bytes each, leaf upwards
  primary key (batch_id, position)
);

create table batch_anchors (
  batch_id bigint primary key references batches (id),
  chain_id text not null,
  contract_address text not null,
  transaction_hash text not null,
  block_number bigint not null,
  anchored_at timestamptz not null default now()
);

create function ledger_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'ledger rows are append-only: % on % refused', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end
$$;

create trigger record_versions_append_only before update or delete on record_versions
  for each row execute function ledger_refuse_change();
create trigger record_versions_no_truncate before truncate on record_versions
  for each statement execute function ledger_refuse_change();
create trigger batches_append_only before update or delete on batches
  for each row execute function ledger_refuse_change();
create trigger batches_no_truncate before truncate on batches
  for each statement execute function ledger_refuse_change();
create trigger batch_leaves_append_only before update or delete on batch_leaves
  for each row execute function ledger_refuse_change();
create trigger batch_leaves_no_truncate before truncate on batch_leaves
  for each statement execute function ledger_refuse_change();
create trigger batch_anchors_append_only before update or delete on batch_anchors
  for each row execute function ledger_refuse_change();
create trigger batch_anchors_no_truncate before truncate on batch_anchors
  for each statement execute function ledger_refuse_change();
