/**
 * @module
 * `crvs verify record ID`: every version of one record, read straight from PostgreSQL (never the
 * API), verified against the chain in layers as sigstore/rekor's `pkg/verify` does: canonical form,
 * commitment, link to the version before, leaf, inclusion (the stored proof walked level by level),
 * then the anchor (the contract's root, and the contract's own `verify`). Every value is
 * recomputed from the stored content and salt; stored commitments, leaves and roots are only
 * compared against, so `--explain` shows where a tampered row stops agreeing.
 */
import type { Sql, TransactionSql } from '../database/client.ts';
import { RegistryError } from '../errors.ts';
import { canonicalise, commitmentOf, leafOf, rootFromProof, toHex, type Hex } from '../ledger/core.ts';
import { splitProof } from '../ledger/batches.ts';
import type { AnchorReader } from './chain-batches.ts';
import type { Finding } from './findings.ts';
import { leafCountText } from './ledger-scan.ts';
import { checkIdentity } from './leaf-work.ts';
import { checkRecordIndexes } from './record-index.ts';
import { readPeopleIndex } from './people-index.ts';
import { readOnlySnapshot, rowSecurityFindings } from './read-only.ts';

export interface RecordStep {
  step: string;
  status: 'passed' | 'failed';
  /** What was computed or checked, in words. */
  detail: string;
  expected?: string;
  calculated?: string;
}

/** verified: proven against the chain; failed: a step failed; pending/sealed: not anchored yet. */
export type VersionStatus = 'verified' | 'failed' | 'pending' | 'sealed';

export interface VersionVerification {
  versionId: string;
  version: number;
  kind: string;
  status: VersionStatus;
  /** Why the status is not `verified`, in one line. */
  reason?: string;
  batchId?: number;
  position?: number;
  steps: RecordStep[];
}

/** The version the application shows as current, and the index that says so. */
export interface CurrentVersion {
  version: number;
  index: 'registry' | 'archive';
  registrationNumber?: string;
}

export interface RecordVerification {
  recordId: string;
  ok: boolean;
  chain: { chainId: string; contractAddress: string };
  /** Absent when no index shows the record (a ledger record of no registry or archive). */
  current?: CurrentVersion;
  /** What the registry index, the archive and the audit trail say that the ledger does not (audit finding kinds). */
  problems: Finding[];
  versions: VersionVerification[];
}

interface Row {
  id: bigint;
  version: number;
  kind: string;
  previous_commitment: Buffer | null;
  content: string;
  salt: Buffer;
  commitment: Buffer;
  leaf: Buffer;
  batch_id: bigint | null;
  position: number | null;
  proof: Buffer | null;
  pending: boolean;
  transaction_hash: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function verifyRecord(sql: Sql, chain: AnchorReader, recordId: string): Promise<RecordVerification> {
  if (!UUID.test(recordId)) throw new RegistryError('malformed-request', `record id "${recordId}" is not a UUID`, { field: 'id' });
  const { rows, current, problems } = await readOnlySnapshot(sql, async (tx) => {
    const problems = await rowSecurityFindings(tx);
    if (problems.length) return { rows: [], current: undefined, problems };
    const rows = await tx<Row[]>`
      select v.id, v.version, v.kind, v.previous_commitment, v.content::text as content, v.salt, v.commitment, v.leaf,
             l.batch_id, l.position, l.proof, p.version_id is not null as pending, a.transaction_hash
      from record_versions v
      left join batch_leaves l on l.version_id = v.id
      left join ledger_pending p on p.version_id = v.id
      left join batch_anchors a on a.batch_id = l.batch_id
      where v.record_id = ${recordId}
      order by v.version`;
    return { rows, current: await currentVersionOf(tx, recordId), problems: await checkRecordIndexes(tx, recordId, { people: await readPeopleIndex(tx, recordId) }) };
  });
  // Exit 2 is for an id nothing knows; a record the index or the audit trail knows is a finding.
  if (!rows.length && !problems.length) throw new RegistryError('not-found', `no record ${recordId} in the database`, { field: 'id' });
  const versions: VersionVerification[] = [];
  let previous: Previous | null = null;
  for (const row of rows) {
    versions.push(await verifyVersion(chain, row, recordId, previous));
    previous = { version: row.version, commitment: toHex(row.commitment) };
  }
  const ok = versions.every((v) => v.status !== 'failed') && problems.length === 0;
  return { recordId, ok, chain: { chainId: chain.chainId, contractAddress: chain.contractAddress }, ...(current && { current }), problems, versions };
}

/** The version the registry index or the archive shows for this record. */
async function currentVersionOf(tx: TransactionSql, recordId: string): Promise<CurrentVersion | undefined> {
  const [row] = await tx<{ version: number; index: 'registry' | 'archive'; registration_number: string | null }[]>`
    select current_version as version, 'registry' as index, registration_number from registry_records where record_id = ${recordId}
    union all
    select version, 'archive', null from archive_documents where id = ${recordId}`;
  if (!row) return undefined;
  return { version: row.version, index: row.index, ...(row.registration_number && { registrationNumber: row.registration_number }) };
}

/** The version before, as stored: its own check is its own line; here only the link matters. */
interface Previous {
  version: number;
  commitment: Hex;
}

async function verifyVersion(chain: AnchorReader, row: Row, recordId: string, previous: Previous | null): Promise<VersionVerification> {
  const v: VersionVerification = { versionId: String(row.id), version: row.version, kind: row.kind, status: 'verified', steps: [] };
  const fail = (reason: string) => {
    if (v.status !== 'failed') Object.assign(v, { status: 'failed', reason });
  };
  const check = (step: string, detail: string, expected: string, calculated: string) => {
    const ok = expected.toLowerCase() === calculated.toLowerCase();
    v.steps.push({ step, status: ok ? 'passed' : 'failed', detail, expected, calculated });
    if (!ok) fail(`${step}: ${detail}: expected ${expected}, calculated ${calculated}`);
    return ok;
  };

  let content: { recordId?: unknown; version?: unknown; kind?: unknown; previousCommitment?: unknown };
  let canonical: string;
  try {
    content = JSON.parse(row.content) as typeof content;
    canonical = canonicalise(content);
  } catch (error) {
    v.steps.push({ step: 'canonical', status: 'failed', detail: `the stored content cannot be canonicalised: ${(error as Error).message}` });
    fail('canonical: the stored content cannot be canonicalised');
    return v;
  }
  v.steps.push({ step: 'canonical', status: 'passed', detail: 'RFC 8785 canonical form of the stored content', calculated: canonical });
  // The same rule as `crvs audit` (leaf-work.ts): the row's record, version and kind against the
  // committed document, and the link to the stored commitment of the version before.
  const before = previous?.version === row.version - 1 ? previous.commitment.replace(/^0x/, '').toLowerCase() : null;
  const mismatch = checkIdentity(content, { recordId, version: row.version, kind: row.kind, previousColumn: row.previous_commitment?.toString('hex') ?? null, before });
  const moved = mismatch?.kind === 'identity-mismatch' ? mismatch : null;
  const unlinked = mismatch?.kind === 'version-chain-broken' ? mismatch : null;
  v.steps.push({ step: 'identity', status: moved ? 'failed' : 'passed', detail: 'the committed document names this record, version and kind', ...(moved && { expected: moved.expected, calculated: moved.actual }) });
  if (row.version > 1 || unlinked) {
    v.steps.push({ step: 'previous', status: unlinked ? 'failed' : 'passed', detail: unlinked?.reason ?? 'the version names the stored commitment of the version before', ...(unlinked && { expected: unlinked.expected, calculated: unlinked.actual }) });
  }
  if (mismatch) fail(`${moved ? 'identity' : 'previous'}: ${mismatch.reason}: expected ${mismatch.expected}, found ${mismatch.actual}`);
  const commitment = commitmentOf(toHex(row.salt), canonical);
  check('commitment', 'keccak256(salt ‖ canonical) equals the stored commitment', toHex(row.commitment), commitment);
  const leaf = leafOf(commitment);
  check('leaf', 'keccak256(keccak256(commitment)) equals the stored leaf', toHex(row.leaf), leaf);

  if (row.batch_id === null) {
    if (row.pending) Object.assign(v, v.status === 'failed' ? {} : { status: 'pending', reason: 'waiting for its batch to be sealed and anchored' });
    else {
      v.steps.push({ step: 'batch', status: 'failed', detail: 'the version is in no batch and not waiting for one' });
      fail('batch: the version is in no batch and not waiting for one');
    }
    return v;
  }
  const batchId = Number(row.batch_id);
  Object.assign(v, { batchId, position: row.position! });
  const proof = splitProof(row.proof!);
  const computedRoot = walkProof(v, leaf, proof);
  const anchored = await chain.batch(batchId);
  if (!anchored) {
    if (row.transaction_hash) {
      v.steps.push({ step: 'anchored-root', status: 'failed', detail: `batch ${batchId} is recorded as anchored by ${row.transaction_hash}, but the contract does not know it` });
      fail(`anchored-root: the contract does not know batch ${batchId}`);
    } else if (v.status !== 'failed') Object.assign(v, { status: 'sealed', reason: `batch ${batchId} is sealed and waiting to be anchored` });
    return v;
  }
  check('anchored-root', `the contract's root of batch ${batchId} (${leafCountText(anchored.leafCount)}) equals the computed root`, anchored.root, computedRoot);
  const accepted = await chain.verifyOnChain(batchId, leaf, proof);
  v.steps.push({ step: 'contract-verify', status: accepted ? 'passed' : 'failed', detail: `the contract's verify(${batchId}, leaf, proof) answers ${accepted}` });
  if (!accepted) fail(`contract-verify: the contract's verify(${batchId}, leaf, proof) answers false`);
  return v;
}

/** One step per proof level: the node reached after each sibling (OpenZeppelin sorted pairs). */
function walkProof(v: VersionVerification, leaf: Hex, proof: Hex[]): Hex {
  let node = leaf;
  proof.forEach((sibling, level) => {
    const next = rootFromProof(leaf, proof.slice(0, level + 1));
    v.steps.push({ step: `proof[${level}]`, status: 'passed', detail: `keccak256 of the sorted pair (${node}, ${sibling})`, calculated: next });
    node = next;
  });
  if (!proof.length) v.steps.push({ step: 'proof', status: 'passed', detail: 'the batch holds this leaf alone: the leaf is the root', calculated: leaf });
  return node;
}
