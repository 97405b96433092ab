/**
 * `crvs verify record ID [--explain] [--json]`: every version of one record, read straight from
 * PostgreSQL (read-only) and verified against the chain, with the version the registry index or
 * the archive shows as current. Exit 0 every version intact (anchored ones proven, pending ones
 * consistent) and the index agreeing, 1 a version failed or the index, archive or audit trail
 * disagrees with the ledger (a record they know whose versions are gone included), 2 could not
 * run (an id nothing knows, database or chain unreachable).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { contractAddress } from '../../services/chain/settings.ts';
import { openAnchorReader } from '../../services/audit/chain-batches.ts';
import { connectAuditDatabase } from '../../services/audit/read-only.ts';
import { verifyRecord, type RecordStep, type RecordVerification, type VersionVerification } from '../../services/audit/verify-record.ts';
import { action, report } from '../report.ts';

/** Adds `record` to the `verify` group (see `registerVerify` in verify.ts). */
export function registerVerifyRecord(verify: Command): void {
  verify
    .command('record')
    .description('verify every version of a record from the database against the chain')
    .argument('<id>', 'record id (UUID)')
    .option('--explain', 'show every hashing step, from canonical JSON to the anchored root')
    .option('--rpc <url>', 'chain JSON-RPC endpoint (default: CHAIN_RPC_URL, else the embedded chain)')
    .option('--contract <address>', "the registry's published contract address (default: ANCHOR_CONTRACT_ADDRESS, else the embedded deployment)")
    .option('--json', 'print the result as JSON')
    .action(
      action(async (id: string, options: { explain?: boolean; rpc?: string; contract?: string }) => {
        const config = loadConfig();
        const sql = await connectAuditDatabase(config, 'crvs-verify-record');
        try {
          const chain = await openAnchorReader(options.rpc ?? config.chain.rpcUrl, options.contract ?? contractAddress(config));
          try {
            const result = await verifyRecord(sql, chain, id);
            return report(result, formatRecord(result, Boolean(options.explain)), result.ok);
          } finally {
            chain.close();
          }
        } finally {
          await sql.end({ timeout: 5 });
        }
      }),
    );
}

const STATUS_TEXT = { verified: 'verified', failed: 'FAILED', pending: 'pending', sealed: 'sealed' } as const;

export function formatRecord(r: RecordVerification, explain: boolean): string {
  const byStatus = new Map<string, number>();
  for (const v of r.versions) byStatus.set(v.status, (byStatus.get(v.status) ?? 0) + 1);
  const counts = [...byStatus].map(([status, n]) => `${n} ${status}`);
  const versions = `${r.versions.length} version${r.versions.length === 1 ? '' : 's'}${counts.length ? `: ${counts.join(', ')}` : ''}`;
  const lines = [`record ${r.recordId}: ${r.ok ? 'INTACT' : 'FAILED'} (${versions}; chain ${r.chain.chainId}, contract ${r.chain.contractAddress})`, `  ${currentText(r)}`];
  for (const p of r.problems) lines.push(`  ${p.kind}: ${p.message}`);
  for (const v of r.versions) {
    lines.push(`  version ${v.version} (${v.kind}, id ${v.versionId}): ${STATUS_TEXT[v.status]}${where(v)}${v.reason ? `: ${v.reason}` : ''}`);
    if (explain) lines.push(...v.steps.map(explainStep));
  }
  return lines.join('\n');
}

/** Which version the application shows: the auditor must know what a citizen is shown. */
function currentText(r: RecordVerification): string {
  if (!r.current) return 'current version: not shown by the registry or the archive (no index row)';
  const number = r.current.registrationNumber ? `, registration ${r.current.registrationNumber}` : '';
  return `current version: ${r.current.version} (${r.current.index === 'registry' ? 'registry index' : 'archive'}${number})`;
}

function where(v: VersionVerification): string {
  return v.batchId === undefined ? '' : ` in batch ${v.batchId} at position ${v.position}`;
}

function explainStep(s: RecordStep): string {
  const lines = [`    ${s.status === 'passed' ? '✓' : '✗'} ${s.step.padEnd(15)} ${s.detail}`];
  if (s.expected !== undefined && s.status === 'failed') lines.push(`${' '.repeat(22)}expected   ${s.expected}`);
  if (s.calculated !== undefined) lines.push(`${' '.repeat(22)}${s.expected !== undefined && s.status === 'failed' ? 'calculated' : '=         '} ${s.calculated}`);
  return lines.join('\n');
}
