-- Anchoring history beyond the first anchoring of a batch.
--
-- `batch_anchors` (0002) keeps the first anchoring of each batch and never changes. A batch can
-- be anchored again with the same root when the chain lost it: the embedded Anvil node writes
-- its state once a second, so a crash can roll the chain back behind what the database recorded;
-- a restored Besu network could do the same. The anchor worker then re-anchors the same roots in
-- order (the contract still refuses gaps and replacements) and records each new anchoring here,
-- append-only like every ledger row, so both the lost and the current transaction stay on record.

create table batch_reanchors (
  batch_id bigint not null references batches (id),
  chain_id text not null,
  contract_address text not null,
  transaction_hash text not null,
  block_number bigint not null,
  reason text not null,
  anchored_at timestamptz not null default now(),
  primary key (batch_id, chain_id, contract_address, transaction_hash)
);

create trigger batch_reanchors_append_only before update or delete on batch_reanchors
  for each row execute function ledger_refuse_change();
create trigger batch_reanchors_no_truncate before truncate on batch_reanchors
  for each statement execute function ledger_refuse_change();

-- Every anchoring of every batch, first ones and re-anchorings alike.
create view batch_anchorings as
  select batch_id, chain_id, contract_address, transaction_hash, block_number, anchored_at from batch_anchors
  union all
  select batch_id, chain_id, contract_address, transaction_hash, block_number, anchored_at from batch_reanchors;

-- The anchoring that evidence bundles cite: the latest one of each batch.
create view current_batch_anchors as
  select distinct on (batch_id) batch_id, chain_id, contract_address, transaction_hash, block_number, anchored_at
  from batch_anchorings
  order by batch_id, anchored_at desc, block_number desc;
