/**
 * @module
 * The audit's one pass over `record_versions`: streamed with a cursor in commit order, hashed in
 * the worker pool, each recomputed leaf put into its batch's slot. Findings that one row shows by
 * itself (content changed, not in any batch, waiting too long) are made here; what needs a whole
 * batch is decided in `batch-verdicts.ts`.
 */
import type { TransactionSql } from '../database/client.ts';
import { toHex } from '../ledger/core.ts';
import { emptyEntry, isComplete, type BatchEntry } from './batch-book.ts';
import type { Finding } from './findings.ts';
import type { ObjectSample } from './fixity.ts';
import type { LeafPool } from './leaf-pool.ts';
import type { LeafChunkResult } from './leaf-work.ts';
import { indexedColumn, type IndexDifference } from './people-index.ts';

interface VersionRow {
  id: bigint;
  record_id: string;
  version: number;
  kind: string;
  previous_commitment: string | null;
  before: string | null;
  content: string;
  salt: string;
  commitment: string;
  leaf: string;
  batch_id: bigint | null;
  position: number | null;
  pending: boolean;
  stale: boolean | null;
  /** The record's registry index, where this is a registration's current version and people are checked. */
  indexed: string | null;
}

export interface ScanContext {
  tx: TransactionSql;
  pool: LeafPool;
  book: Map<number, BatchEntry>;
  findings: Finding[];
  objects: ObjectSample;
  maxPendingAgeMs: number;
  chunkSize: number;
  /**
   * Where set, each registration's people index and birth keys are compared with its current
   * version in the same pass (people-index.ts), and the records that differ are put here.
   */
  peopleIndex?: Map<string, IndexDifference>;
  /** Called once every version of a batch has been hashed. */
  onBatchComplete(entry: BatchEntry): void;
  onProgress(versions: number): void;
}

export interface ScanTotals {
  versions: number;
  pendingWithinAge: number;
}

export async function scanVersions(ctx: ScanContext): Promise<ScanTotals> {
  const totals: ScanTotals = { versions: 0, pendingWithinAge: 0 };
  const query = ctx.tx<VersionRow[]>`
    select v.id, v.record_id, v.version, v.kind, encode(v.previous_commitment, 'hex') as previous_commitment,
           -- Corrections are few: the CASE probes the (record_id, version) index for them alone.
           case when v.version > 1 then
             (select encode(b.commitment, 'hex') from record_versions b where b.record_id = v.record_id and b.version = v.version - 1)
           end as before,
           v.content::text as content, encode(v.salt, 'hex') as salt, encode(v.commitment, 'hex') as commitment,
           encode(v.leaf, 'hex') as leaf, l.batch_id, l.position, p.version_id is not null as pending,
           p.enqueued_at < now() - make_interval(secs => ${ctx.maxPendingAgeMs / 1000}::double precision) as stale,
           ${ctx.peopleIndex ? indexedColumn(ctx.tx) : ctx.tx`null`} as indexed
    from record_versions v
    left join batch_leaves l on l.version_id = v.id
    left join ledger_pending p on p.version_id = v.id
    ${ctx.peopleIndex ? ctx.tx`left join registry_records r on r.record_id = v.record_id and r.current_version = v.version` : ctx.tx``}
    order by v.id`;
  // Keep every worker busy with one chunk queued behind it, and no more: memory stays flat.
  const maxInFlight = Math.max(1, ctx.pool.size * 2);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for await (const rows of query.cursor(ctx.chunkSize)) {
    const job = ctx.pool
      .leaves({
        contents: rows.map((r) => r.content),
        salts: rows.map((r) => r.salt),
        commitments: rows.map((r) => r.commitment),
        leaves: rows.map((r) => r.leaf),
        identities: rows.map((r) => ({ recordId: r.record_id, version: r.version, kind: r.kind, previousColumn: r.previous_commitment, before: r.before })),
        ...(ctx.peopleIndex && { indexed: rows.map((r) => r.indexed) }),
      })
      .then((result) => place(ctx, rows, result, totals))
      .catch((error: unknown) => void (failure ??= error));
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return totals;
}

function place(ctx: ScanContext, rows: VersionRow[], result: LeafChunkResult, totals: ScanTotals): void {
  const leaves = Buffer.from(result.leaves.buffer, result.leaves.byteOffset, result.leaves.byteLength);
  const changed = new Set<number>();
  for (const m of result.mismatches) {
    const row = rows[m.index]!;
    changed.add(m.index);
    ctx.findings.push({
      kind: 'content-changed',
      message: `version ${row.id}: ${m.reason}`,
      versionId: String(row.id),
      ...(row.batch_id !== null && { batchId: Number(row.batch_id), position: row.position! }),
      ...(m.expected !== undefined && { expected: m.expected, actual: m.actual }),
    });
  }
  for (const m of result.identities) {
    const row = rows[m.index]!;
    ctx.findings.push({
      kind: m.kind,
      message: `version ${row.id} (record ${row.record_id} version ${row.version}): ${m.reason}`,
      versionId: String(row.id),
      recordId: row.record_id,
      ...(row.batch_id !== null && { batchId: Number(row.batch_id), position: row.position! }),
      ...(m.expected !== undefined && { expected: m.expected, actual: m.actual }),
    });
  }
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.batch_id !== null) placeInBatch(ctx, row, leaves.subarray(i * 32, i * 32 + 32), changed.has(i));
    else if (!row.pending) {
      ctx.findings.push({ kind: 'record-not-in-batch', message: `version ${row.id} is in no batch and not waiting for one`, versionId: String(row.id) });
    } else if (row.stale) {
      ctx.findings.push({
        kind: 'unanchored',
        message: `version ${row.id} has waited for anchoring longer than ${formatAge(ctx.maxPendingAgeMs)}`,
        versionId: String(row.id),
      });
    } else totals.pendingWithinAge++;
  }
  for (const o of result.objects) ctx.objects.add({ versionId: String(rows[o.index]!.id), key: o.key, sha256: o.sha256 });
  for (const d of result.index) ctx.peopleIndex?.set(rows[d.index]!.record_id, d.difference);
  totals.versions += rows.length;
  ctx.onProgress(rows.length);
}

function placeInBatch(ctx: ScanContext, row: VersionRow, leaf: Buffer, changed: boolean): void {
  const batchId = Number(row.batch_id);
  let entry = ctx.book.get(batchId);
  if (!entry) ctx.book.set(batchId, (entry = emptyEntry(batchId)));
  const position = row.position!;
  entry.seen++;
  if (entry.chain) {
    if (position < entry.chain.leafCount) {
      if (entry.versionIds[position] === 0) entry.filled++;
      leaf.copy(entry.leaves, position * 32);
      entry.versionIds[position] = Number(row.id);
      if (changed) entry.changed.add(position);
    } else {
      ctx.findings.push({
        kind: 'record-not-in-batch',
        message: `version ${row.id} claims position ${position} of batch ${batchId}, which was anchored with ${leafCountText(entry.chain.leafCount)}`,
        versionId: String(row.id),
        batchId,
        position,
        actual: toHex(leaf),
      });
    }
  }
  if (isComplete(entry)) ctx.onBatchComplete(entry);
}

export function formatAge(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

export function leafCountText(n: number): string {
  return `${n} ${n === 1 ? 'leaf' : 'leaves'}`;
}
