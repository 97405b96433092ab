/**
 * `crvs audit`: proves, from PostgreSQL (read-only), the object store and the chain, that the
 * registry and the archive are intact: nothing altered, removed or slipped in, every checked scan
 * still the file that was ingested. Exit 0 intact, 1 findings, 2 could not run.
 *
 * @example
 *   crvs audit --fixity --sample 1000 --report audit.html
 *   crvs audit --json --max-pending-age 30m
 */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../../services/config/env.ts';
import { contractAddress } from '../../services/chain/settings.ts';
import { connectObjectStore } from '../../services/objectstore/client.ts';
import { openAnchorReader } from '../../services/audit/chain-batches.ts';
import { runAudit, type AuditProgress, type AuditResult } from '../../services/audit/engine.ts';
import { FINDING_KINDS, FINDING_TITLES } from '../../services/audit/findings.ts';
import { formatAge } from '../../services/audit/ledger-scan.ts';
import { connectAuditDatabase } from '../../services/audit/read-only.ts';
import { renderAuditReport } from '../../services/audit/report-html.ts';
import { action, oneLine, report, UsageError, type Report } from '../report.ts';

/** Findings listed in the text output; `--json` and `--report` have them all. */
const TEXT_FINDINGS = 50;

interface AuditFlags {
  json?: boolean;
  maxPendingAge: string;
  fixity?: boolean;
  sample?: string;
  people?: boolean;
  report?: string;
  rpc?: string;
  contract?: string;
  workers: string;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('verify the whole ledger and archive against the chain, reading the database read-only')
    .option('--json', 'print the result as JSON')
    .option('--max-pending-age <duration>', 'report versions and batches waiting for anchoring longer than this (e.g. 90s, 30m, 1h, 2d)', '1h')
    .option('--fixity', 'check every stored object against its committed SHA-256')
    .option('--sample <n>', 'with fixity: check a random sample of N objects (implies --fixity)')
    .option('--people', "also check the registry's people index (names, dates of birth, PINFLs) and birth keys against the records (about half again as long)")
    .option('--report <file.html>', 'also write the findings as a self-contained HTML report')
    .option('--rpc <url>', 'chain JSON-RPC endpoint (default: CHAIN_RPC_URL, else the embedded chain)')
    .option('--contract <address>', "the registry's published contract address (default: ANCHOR_CONTRACT_ADDRESS, else the embedded deployment)")
    .addOption(new Option('--workers <n>', 'hashing threads (0: hash in the main thread)').default(String(availableParallelism())))
    .action(action(async (flags: AuditFlags) => auditCommand(flags)));
}

async function auditCommand(flags: AuditFlags) {
  const maxPendingAgeMs = parseDuration(flags.maxPendingAge);
  const sample = flags.sample === undefined ? undefined : count(flags.sample, '--sample', 1);
  const workers = count(flags.workers, '--workers', 0);
  const fixity = Boolean(flags.fixity) || sample !== undefined;
  // Checked before an audit that may take an hour, not after it.
  if (flags.report) checkWritable(flags.report);
  const config = loadConfig();
  const sql = await connectAuditDatabase(config);
  const progress = new ProgressBars(!flags.json && Boolean(process.stderr.isTTY));
  try {
    const chain = await openAnchorReader(flags.rpc ?? config.chain.rpcUrl, flags.contract ?? contractAddress(config));
    const store = fixity ? connectObjectStore(config) : undefined;
    try {
      const result = await runAudit({ sql, chain, store }, { maxPendingAgeMs, fixity, sample, people: Boolean(flags.people), workers, onProgress: (p) => progress.update(p) });
      progress.stop();
      return flags.report ? withReportFile(result, flags.report, Boolean(flags.json)) : report(result, formatAudit(result), result.ok);
    } finally {
      chain.close();
      store?.client.destroy();
    }
  } finally {
    progress.stop();
    await sql.end({ timeout: 5 });
  }
}

/** A one-line reason (exit 2) unless `file` can be created or overwritten. */
export function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  const refuse = (why: string) => {
    throw new UsageError(`--report: cannot write ${file}: ${why}`, 'report');
  };
  const existing = statSync(file, { throwIfNoEntry: false });
  if (existing?.isDirectory()) refuse('it is a directory');
  const parent = statSync(dir, { throwIfNoEntry: false });
  if (!parent) refuse(`directory ${dir} does not exist`);
  if (!parent!.isDirectory()) refuse(`${dir} is not a directory`);
  try {
    accessSync(existing ? file : dir, constants.W_OK);
  } catch {
    refuse(existing ? 'the file is not writable' : `directory ${dir} is not writable`);
  }
}

/**
 * Writes the HTML report; the findings are never lost to a failed write (disk full, the directory
 * removed meanwhile): they are printed as ever, the failure is one line on stderr, and the exit
 * is 1 with findings (they matter more), else 2 (the report asked for was not written).
 */
function withReportFile(result: AuditResult, file: string, json: boolean): Report {
  try {
    writeFileSync(file, renderAuditReport(result));
    return report(result, formatAudit(result, file), result.ok);
  } catch (error) {
    const text = formatAudit(result);
    if (!result.ok) {
      process.stderr.write(`crvs: the report was not written to ${file}: ${oneLine(error)}\n`);
      return report(result, text, false);
    }
    // `action` prints a returned report; a thrown error is its one line on stderr and exit 2.
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
    throw new Error(`the report was not written to ${file}: ${oneLine(error)}`);
  }
}

/** A progress bar per phase on stderr, only on a terminal (never with --json or in a pipe). */
class ProgressBars {
  readonly #enabled: boolean;
  #bar: SingleBar | undefined;
  #phase: string | undefined;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  update(p: AuditProgress): void {
    if (!this.#enabled) return;
    if (this.#phase !== p.phase) {
      this.stop();
      this.#phase = p.phase;
      this.#bar = new SingleBar({ format: `${p.phase.padEnd(8)} {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}`, stream: process.stderr, etaBuffer: 50 }, Presets.shades_classic);
      this.#bar.start(p.total, 0);
    }
    this.#bar!.update(p.done);
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

export function formatAudit(r: AuditResult, reportFile?: string): string {
  const s = r.summary;
  const lines = [
    `audit of contract ${r.chain.contractAddress} on chain ${r.chain.chainId} (latest batch ${r.chain.latestBatchId})`,
    `  record versions  ${s.recordVersions} in ${(r.durationMs / 1000).toFixed(1)} s (${s.versionsPerSecond}/s, ${s.workers} hashing threads)`,
    `  batches          ${s.batchesAnchored} anchored, ${s.batchesVerified} verified, ${s.batchesAwaitingAnchor} awaiting anchoring`,
    `  leaves verified  ${s.leavesVerified}`,
    `  pending          ${s.pendingWithinAge} within ${formatAge(s.maxPendingAgeMs)}`,
    `  fixity           ${s.fixity.mode === 'off' ? 'not checked (--fixity)' : `${s.fixity.checked} of ${s.fixity.committedObjects} objects checked`}`,
    `  people index     ${s.peopleIndex ? 'checked' : 'not checked (--people)'}`,
  ];
  if (r.ok) lines.push(`INTACT: nothing altered, removed or slipped in${uncheckedText(s)}`);
  else {
    lines.push(`FAILED: ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`);
    for (const kind of FINDING_KINDS) if (r.counts[kind]) lines.push(`  ${kind.padEnd(26)} ${String(r.counts[kind]).padStart(6)}  ${FINDING_TITLES[kind]}`);
    lines.push('findings:');
    for (const f of r.findings.slice(0, TEXT_FINDINGS)) {
      const ids = [
        f.batchId !== undefined && `batch ${f.batchId}`,
        f.position !== undefined && `position ${f.position}`,
        f.recordId && `record ${f.recordId}`,
        f.registrationNumber && `registration ${f.registrationNumber}`,
        f.objectKey && `object ${f.objectKey}`,
      ].filter(Boolean);
      lines.push(`  ${f.kind}: ${f.message}${ids.length ? ` [${ids.join(', ')}]` : ''}`);
      if (f.expected !== undefined) lines.push(`      expected ${f.expected}`, `      found    ${f.actual ?? '(nothing)'}`);
    }
    if (r.findings.length > TEXT_FINDINGS) lines.push(`  ... and ${r.findings.length - TEXT_FINDINGS} more (--json or --report FILE.html)`);
  }
  if (reportFile) lines.push(`report written to ${reportFile}`);
  return lines.join('\n');
}

/** What the verdict does not cover, said in the verdict itself. */
function uncheckedText(s: AuditResult['summary']): string {
  const f = s.fixity;
  const parts = [
    f.mode === 'off' ? 'stored scans NOT checked: --fixity' : f.checked < f.committedObjects ? `stored scans: only a sample of ${f.checked} of ${f.committedObjects} checked` : '',
    s.peopleIndex ? '' : 'people index NOT checked: --people',
  ].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `2d`, `1500ms`; a bare number is seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--max-pending-age: "${text}" is not a duration (e.g. 90s, 30m, 1h, 2d)`, 'max-pending-age');
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}

function count(text: string, option: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${option}: "${text}" must be an integer of at least ${min}`, option.slice(2));
  return n;
}
