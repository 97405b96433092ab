/**
 * @module
 * What an audit can find, each pinpointed by kind and by the ids an auditor needs to follow it up
 * (record, version, batch, position, object key). The kinds are stable: scripts read them from
 * `crvs audit --json`.
 */

export const FINDING_KINDS = [
  'row-security',
  'content-changed',
  'identity-mismatch',
  'version-chain-broken',
  'record-missing',
  'ledger-record-missing',
  'index-record-missing',
  'current-version-mismatch',
  'registry-index-changed',
  'archive-index-changed',
  'record-not-in-batch',
  'root-mismatch',
  'count-mismatch',
  'batch-missing',
  'batch-unknown-to-chain',
  'unanchored',
  'object-missing',
  'object-changed',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

/** What each kind means, for the text and HTML reports. */
export const FINDING_TITLES: Record<FindingKind, string> = {
  'row-security': 'row-level security could hide rows from the auditor',
  'content-changed': 'record content changed after it was committed',
  'identity-mismatch': "version row names another record or version than its committed content",
  'version-chain-broken': 'version does not name the commitment of the version before',
  'record-missing': 'record version missing from its batch',
  'ledger-record-missing': 'record known to the registry or audit trail missing from the ledger',
  'index-record-missing': 'ledger record missing from the registry or archive index',
  'current-version-mismatch': 'current version in the index is not the newest in the ledger',
  'registry-index-changed': 'registry index (number, office, people, birth identity) differs from the committed record',
  'archive-index-changed': 'archive document differs from its committed archive entry',
  'record-not-in-batch': 'record version in no anchored batch',
  'root-mismatch': 'batch root differs from the anchored root',
  'count-mismatch': 'batch leaf count differs from the anchored count',
  'batch-missing': 'anchored batch missing from the database',
  'batch-unknown-to-chain': 'batch the chain does not know',
  unanchored: 'waiting for anchoring longer than allowed',
  'object-missing': 'stored object missing',
  'object-changed': 'stored object changed (SHA-256 differs)',
};

export interface Finding {
  kind: FindingKind;
  /** One sentence saying what is wrong, with the ids. */
  message: string;
  /** record_versions.id, as a decimal string (bigint in the database). */
  versionId?: string;
  recordId?: string;
  /** The registration number of the record, when anything still knows it. */
  registrationNumber?: string;
  batchId?: number;
  position?: number;
  objectKey?: string;
  /** What the trusted side (the chain, the commitment) says. */
  expected?: string;
  /** What was found. */
  actual?: string;
}

export function countByKind(findings: readonly Finding[]): Record<FindingKind, number> {
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) counts[f.kind]++;
  return counts;
}

/** Orders findings for reading: by batch, then position, then version, then kind. */
export function sortFindings(findings: Finding[]): Finding[] {
  const num = (v: number | undefined) => v ?? Number.MAX_SAFE_INTEGER;
  const big = (v: string | undefined) => (v === undefined ? Number.MAX_SAFE_INTEGER : Number(v));
  return findings.sort(
    (a, b) =>
      num(a.batchId) - num(b.batchId) ||
      num(a.position) - num(b.position) ||
      big(a.versionId) - big(b.versionId) ||
      FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind) ||
      (a.objectKey ?? '').localeCompare(b.objectKey ?? ''),
  );
}
