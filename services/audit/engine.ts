/**
 * @module
 * `crvs audit`'s engine: proves, from PostgreSQL (read-only), the object store and the chain,
 * that nothing in the ledger was altered, removed or slipped in, and that every stored object is
 * still the one committed. Trusts the chain and the mathematics only: every leaf is recomputed
 * from stored content and salt, every anchored batch's tree is rebuilt from those leaves.
 *
 * Order matters for a live system: the chain's latest batch id is read *before* the database
 * snapshot, so every batch the chain had anchored by then must be in the snapshot (it was sealed
 * before it was anchored), and batches anchored after it are looked up one by one.
 *
 * @example
 *   const result = await runAudit({ sql, chain, store }, { maxPendingAgeMs: 3_600_000, fixity: true });
 *   if (!result.ok) console.log(result.findings);
 */
import { availableParallelism } from 'node:os';
import type { Sql, TransactionSql } from '../database/client.ts';
import type { ObjectStore } from '../objectstore/client.ts';
import { RegistryError } from '../errors.ts';
import { attachChain, emptyEntry, isComplete, isRebuildable, loadBatchBook, type BatchEntry } from './batch-book.ts';
import { judgeBatches } from './batch-verdicts.ts';
import { readAnchoredBatches, type AnchoredBatch, type AnchorReader } from './chain-batches.ts';
import { countByKind, sortFindings, type Finding, type FindingKind } from './findings.ts';
import { checkFixity, ObjectSample } from './fixity.ts';
import { LeafPool } from './leaf-pool.ts';
import { scanVersions } from './ledger-scan.ts';
import type { IndexDifference } from './people-index.ts';
import { nameMissingVersions } from './missing-versions.ts';
import { checkRecordIndexes, registrationNumbers } from './record-index.ts';
import { isRowSecurityRefusal, readOnlySnapshot, rowSecurityFindings } from './read-only.ts';

export interface AuditOptions {
  /** Pending versions and sealed batches older than this are reported as unanchored. */
  maxPendingAgeMs: number;
  /** Check stored objects against their committed SHA-256 (needs `store`). */
  fixity?: boolean;
  /**
   * Check the registry's people index and birth keys against the committed records too
   * (people-index.ts): compared during the pass over the ledger, with each current version's
   * index rows read beside it.
   */
  people?: boolean;
  /** With fixity: check a uniform random sample of this many objects instead of all. */
  sample?: number;
  /** Hashing worker threads; 0 hashes in this thread. Default: one per core. */
  workers?: number;
  /** Rows per cursor fetch and per worker task. */
  chunkSize?: number;
  onProgress?(progress: AuditProgress): void;
}

export interface AuditProgress {
  phase: 'versions' | 'objects';
  done: number;
  total: number;
}

export interface AuditSources {
  /** A connection to read the ledger with (see `connectAuditDatabase`). */
  sql: Sql;
  chain: AnchorReader;
  store?: ObjectStore;
}

export interface BatchOverview {
  id: number;
  leafCount: number;
  anchoredAt: string;
  intact: boolean;
}

export interface AuditResult {
  ok: boolean;
  startedAt: string;
  durationMs: number;
  chain: { chainId: string; contractAddress: string; latestBatchId: number };
  summary: {
    recordVersions: number;
    versionsPerSecond: number;
    batchesInDatabase: number;
    batchesAnchored: number;
    batchesVerified: number;
    leavesVerified: number;
    pendingWithinAge: number;
    batchesAwaitingAnchor: number;
    maxPendingAgeMs: number;
    workers: number;
    fixity: { mode: 'off' | 'all' | 'sample'; committedObjects: number; checked: number };
    /** Whether the registry's people index was checked (`people`). */
    peopleIndex: boolean;
  };
  counts: Record<FindingKind, number>;
  findings: Finding[];
  /** Anchored batches in id order, for "batches over time". */
  batches: BatchOverview[];
}

export async function runAudit(sources: AuditSources, options: AuditOptions): Promise<AuditResult> {
  if (options.fixity && !sources.store) throw new RegistryError('config-invalid', 'fixity needs the object store');
  const startedAt = new Date();
  const started = performance.now();
  const latestBatchId = await sources.chain.latestBatchId();
  const pool = LeafPool.start(options.workers ?? availableParallelism());
  const objects = new ObjectSample(options.sample);
  try {
    const ledger = await readOnlySnapshot(sources.sql, (tx) => auditLedger(tx, sources.chain, pool, objects, latestBatchId, options)).catch(refusedByRowSecurity);
    const { findings } = ledger;
    let checked = 0;
    if (options.fixity) {
      const total = objects.items.length;
      const onProgress = (n: number) => {
        checked += n;
        options.onProgress?.({ phase: 'objects', done: checked, total });
      };
      findings.push(...(await checkFixity(sources.store!, objects.items, { onProgress })));
    }
    await nameRecords(sources.sql, findings);
    sortFindings(findings);
    const failedBatches = new Set(findings.map((f) => f.batchId));
    const durationMs = performance.now() - started;
    return {
      ok: findings.length === 0,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(durationMs),
      chain: { chainId: sources.chain.chainId, contractAddress: sources.chain.contractAddress, latestBatchId },
      summary: {
        ...ledger.summary,
        versionsPerSecond: Math.round(ledger.summary.recordVersions / (durationMs / 1000)),
        maxPendingAgeMs: options.maxPendingAgeMs,
        workers: pool.size,
        fixity: { mode: !options.fixity ? 'off' : options.sample === undefined ? 'all' : 'sample', committedObjects: objects.seen, checked },
        peopleIndex: options.people ?? false,
      },
      counts: countByKind(findings),
      findings,
      batches: ledger.anchored.map((b) => ({ id: b.id, leafCount: b.leafCount, anchoredAt: b.anchoredAt.toISOString(), intact: !failedBatches.has(b.id) })),
    };
  } finally {
    await pool.close();
  }
}

/** What the ledger phase, run in one snapshot, hands back to {@link runAudit}. */
interface LedgerPhase {
  findings: Finding[];
  anchored: AnchoredBatch[];
  summary: Omit<AuditResult['summary'], 'versionsPerSecond' | 'maxPendingAgeMs' | 'workers' | 'fixity' | 'peopleIndex'>;
}

async function auditLedger(
  tx: TransactionSql,
  chain: AnchorReader,
  pool: LeafPool,
  objects: ObjectSample,
  latestBatchId: number,
  options: AuditOptions,
): Promise<LedgerPhase> {
  // Rows a policy would hide cannot be audited: say so rather than audit what the policy shows.
  const rigged = await rowSecurityFindings(tx);
  if (rigged.length) return notAudited(rigged);
  // The first statement on a ledger table fixes the snapshot every later one sees.
  const [count] = await tx<{ total: bigint }[]>`select count(*) as total from record_versions`;
  const book = await loadBatchBook(tx, options.maxPendingAgeMs);
  const batchesInDatabase = [...book.values()].filter((b) => b.stored).length;
  const anchored = await readAnchoredBatches(chain, latestBatchId);
  for (const batch of anchored) {
    if (!book.has(batch.id)) book.set(batch.id, emptyEntry(batch.id));
    attachChain(book.get(batch.id)!, batch);
  }
  for (const entry of book.values()) {
    if (entry.id <= latestBatchId) continue;
    const late = await chain.batch(entry.id); // anchored after the snapshot began
    if (late) {
      attachChain(entry, late);
      anchored.push(late);
    }
  }
  const findings: Finding[] = [];
  const buildRoot = (entry: BatchEntry) => {
    if (!entry.root && isRebuildable(entry)) entry.root = pool.root(entry.leaves); // copied to the worker by postMessage
  };
  let done = 0;
  const versions = Number(count!.total);
  const peopleIndex = options.people ? new Map<string, IndexDifference>() : undefined;
  const totals = await scanVersions({
    tx,
    pool,
    book,
    findings,
    objects,
    maxPendingAgeMs: options.maxPendingAgeMs,
    chunkSize: options.chunkSize ?? 2000,
    ...(peopleIndex && { peopleIndex }),
    onBatchComplete: buildRoot,
    onProgress: (n) => {
      done += n;
      options.onProgress?.({ phase: 'versions', done, total: versions });
    },
  });
  for (const entry of book.values()) if (isComplete(entry)) buildRoot(entry);
  const verdicts = await judgeBatches(tx, book, findings, options.maxPendingAgeMs);
  const changed = findings.flatMap((f) => (f.versionId && (f.kind === 'content-changed' || f.kind === 'identity-mismatch') ? [f.versionId] : []));
  findings.push(...(await checkRecordIndexes(tx, undefined, { changedVersions: changed, ...(peopleIndex && { people: peopleIndex }) })));
  await nameMissingVersions(tx, findings, book);
  return {
    findings,
    anchored: anchored.sort((a, b) => a.id - b.id),
    summary: {
      recordVersions: totals.versions,
      batchesInDatabase,
      batchesAnchored: anchored.length,
      batchesVerified: verdicts.verified,
      leavesVerified: verdicts.leavesVerified,
      pendingWithinAge: totals.pendingWithinAge,
      batchesAwaitingAnchor: verdicts.awaitingAnchor,
    },
  };
}

/** What the ledger phase returns when it could not read the ledger as the application sees it. */
function notAudited(findings: Finding[]): LedgerPhase {
  const summary = { recordVersions: 0, batchesInDatabase: 0, batchesAnchored: 0, batchesVerified: 0, leavesVerified: 0, pendingWithinAge: 0, batchesAwaitingAnchor: 0 };
  return { findings, anchored: [], summary };
}

/** A policy added while the audit ran: PostgreSQL refused (row_security = off) rather than filter. */
function refusedByRowSecurity(error: unknown): LedgerPhase {
  if (!isRowSecurityRefusal(error)) throw error;
  return notAudited([{ kind: 'row-security', message: `PostgreSQL refused to show the auditor every row: ${(error as Error).message}` }]);
}

/**
 * Names the record (and its registration number) of every finding about a version or a record:
 * one query each, the ids are few.
 */
async function nameRecords(sql: Sql, findings: Finding[]): Promise<void> {
  const ids = [...new Set(findings.flatMap((f) => (f.versionId && !f.recordId ? [f.versionId] : [])))];
  await readOnlySnapshot(sql, async (tx) => {
    if (ids.length) {
      const rows = await tx<{ id: bigint; record_id: string }[]>`select id, record_id from record_versions where id = any(${tx.array(ids)}::bigint[])`;
      const byId = new Map(rows.map((r) => [String(r.id), r.record_id]));
      for (const f of findings) if (f.versionId && !f.recordId && byId.has(f.versionId)) f.recordId = byId.get(f.versionId);
    }
    const unnumbered = [...new Set(findings.flatMap((f) => (f.recordId && !f.registrationNumber ? [f.recordId] : [])))];
    const numbers = await registrationNumbers(tx, unnumbered);
    for (const f of findings) if (f.recordId && !f.registrationNumber && numbers.has(f.recordId)) f.registrationNumber = numbers.get(f.recordId);
  });
}
