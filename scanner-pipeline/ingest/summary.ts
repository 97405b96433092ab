/**
 * @module
 * Where a run stands, from the database (so it counts what every worker on every machine did):
 * the progress bar's counters and the final summary of `crvs ingest`.
 */
import type { Sql } from '../../services/database/client.ts';
import type { IngestRun } from '../queue/jobs.ts';

export interface RunProgress {
  files: number;
  queued: number;
  running: number;
  done: number;
  duplicates: number;
  quarantined: number;
  /** Pages of the documents stored so far. */
  pages: number;
  /** Pages stored since `since` (this command's own start), for pages per second. */
  pagesSince: number;
}

export async function runProgress(sql: Sql, runId: string, since: Date): Promise<RunProgress> {
  const rows = await sql<{ status: string; n: bigint; pages: bigint | null; pages_since: bigint | null }[]>`
    select status, count(*) as n, sum(pages) as pages, sum(pages) filter (where finished_at >= ${since}) as pages_since
    from ingest_jobs where run_id = ${runId} group by status`;
  const p: RunProgress = { files: 0, queued: 0, running: 0, done: 0, duplicates: 0, quarantined: 0, pages: 0, pagesSince: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    p.files += n;
    if (r.status === 'duplicate') p.duplicates = n;
    else if (r.status === 'queued' || r.status === 'running' || r.status === 'done' || r.status === 'quarantined') p[r.status] = n;
    p.pages += Number(r.pages ?? 0);
    p.pagesSince += Number(r.pages_since ?? 0);
  }
  return p;
}

export interface Duplicate {
  file: string;
  /** The file with the same bytes that was (or is being) ingested. */
  duplicateOf: string;
  /** That file belongs to an earlier ingest run. */
  earlierRun: boolean;
  /** What became of it: done (then `documentId`), quarantined, or still queued/running. */
  status: string;
  documentId: string | null;
}

export interface IngestSummary {
  runId: string;
  source: string;
  resumed: boolean;
  /** Every job reached a final status: ingested, duplicate or quarantined. */
  finished: boolean;
  files: number;
  ingested: number;
  pages: number;
  pending: number;
  duplicates: { count: number; files: Duplicate[] };
  quarantined: { count: number; byReason: Record<string, number>; files: { file: string; reason: string; detail: string }[] };
  needsReview: { count: number; documents: { file: string; documentId: string; fields: string[] }[] };
  /** Files that could not even be read from disk (missing, no permission): not in the run. */
  unreadable: { file: string; error: string }[];
  elapsedSeconds: number;
  pagesPerMinute: number;
}

/** At most this many files are listed per category (counts are always complete). */
export const SUMMARY_LIST_LIMIT = 1000;

export async function runSummary(
  sql: Sql,
  run: IngestRun,
  extra: { resumed: boolean; since: Date; unreadable: { file: string; error: string }[] },
): Promise<IngestSummary> {
  const progress = await runProgress(sql, run.id, extra.since);
  const duplicates = await sql<{ file: string; duplicate_of: string; earlier_run: boolean; status: string; document_id: string | null }[]>`
    select j.source_file as file, p.source_file as duplicate_of, p.run_id <> j.run_id as earlier_run, p.status, p.document_id
    from ingest_jobs j join ingest_jobs p on p.id = j.duplicate_of
    where j.run_id = ${run.id} and j.status = 'duplicate' order by j.source_file limit ${SUMMARY_LIST_LIMIT}`;
  const quarantined = await sql<{ file: string; reason: string; detail: string }[]>`
    select j.source_file as file, q.reason, q.detail
    from ingest_jobs j join archive_quarantine q on q.ingest_job_id = j.id
    where j.run_id = ${run.id} and j.status = 'quarantined' order by j.source_file limit ${SUMMARY_LIST_LIMIT}`;
  const byReason = await sql<{ reason: string; n: bigint }[]>`
    select q.reason, count(*) as n from ingest_jobs j join archive_quarantine q on q.ingest_job_id = j.id
    where j.run_id = ${run.id} and j.status = 'quarantined' group by q.reason order by q.reason`;
  const review = await sql<{ file: string; document_id: string; fields: string[] }[]>`
    select j.source_file as file, d.id as document_id, d.pending_review as fields
    from ingest_jobs j join archive_documents d on d.id = j.document_id
    where j.run_id = ${run.id} and d.review_status = 'needs-review' order by j.source_file`;
  const elapsedSeconds = (Date.now() - extra.since.getTime()) / 1000;
  return {
    runId: run.id,
    source: run.source,
    resumed: extra.resumed,
    finished: progress.queued + progress.running === 0 && extra.unreadable.length === 0,
    files: progress.files + extra.unreadable.length,
    ingested: progress.done,
    pages: progress.pages,
    pending: progress.queued + progress.running,
    duplicates: {
      count: progress.duplicates,
      files: duplicates.map((d) => ({ file: d.file, duplicateOf: d.duplicate_of, earlierRun: d.earlier_run, status: d.status, documentId: d.document_id })),
    },
    quarantined: {
      count: progress.quarantined,
      byReason: Object.fromEntries(byReason.map((r) => [r.reason, Number(r.n)])),
      files: quarantined.map((q) => ({ file: q.file, reason: q.reason, detail: q.detail })),
    },
    needsReview: { count: review.length, documents: review.slice(0, SUMMARY_LIST_LIMIT).map((r) => ({ file: r.file, documentId: r.document_id, fields: r.fields })) },
    unreadable: extra.unreadable,
    elapsedSeconds: Math.round(elapsedSeconds * 10) / 10,
    pagesPerMinute: elapsedSeconds > 0 ? Math.round((progress.pagesSince / elapsedSeconds) * 600) / 10 : 0,
  };
}

export function summaryText(s: IngestSummary, listLimit = 20): string {
  const lines = [
    `ingest run ${s.runId} of ${s.source}${s.resumed ? ' (resumed)' : ''}`,
    `${s.files} files: ${s.ingested} ingested (${s.pages} pages), ${s.duplicates.count} duplicates, ` +
      `${s.quarantined.count} quarantined, ${s.needsReview.count} need review${s.pending ? `, ${s.pending} still queued` : ''}`,
  ];
  const section = <T>(title: string, items: T[], count: number, line: (item: T) => string) => {
    if (!count) return;
    lines.push(`${title}:`);
    for (const item of items.slice(0, listLimit)) lines.push(`  ${line(item)}`);
    if (count > listLimit) lines.push(`  ... and ${count - listLimit} more (--json lists up to ${SUMMARY_LIST_LIMIT})`);
  };
  section('duplicates', s.duplicates.files, s.duplicates.count, (d) => `${d.file} = ${d.duplicateOf}${d.earlierRun ? ` (an earlier ingest, ${d.status})` : ''}`);
  section('quarantined', s.quarantined.files, s.quarantined.count, (q) => `${q.file}: ${q.reason} (${q.detail})`);
  section('needs review', s.needsReview.documents, s.needsReview.count, (r) => `${r.file}: ${r.fields.join(', ')} [${r.documentId}]`);
  section('unreadable', s.unreadable, s.unreadable.length, (u) => `${u.file}: ${u.error}`);
  lines.push(`${s.elapsedSeconds} s, ${s.pagesPerMinute} pages/min`);
  return lines.join('\n');
}
