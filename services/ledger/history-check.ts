/**
 * @module
 * A record's history checked against the integrity scheme before anything of it is shown, printed
 * or vouched for (DESIGN.md, "Versions"): each stored version still commits to what it says, names
 * the record and version it is stored as, and names the commitment of the version before it; the
 * versions run 1, 2, … without a gap; and the version the registry calls current is the newest.
 *
 * These are the checks that need no chain: a row edited behind the application's back (content,
 * salt, a version moved to another record, a correction removed or undone) is refused here rather
 * than served as the record. Whether the commitments are the anchored ones is for the evidence
 * bundle and the auditor (`crvs audit`), which check proofs against the roots on chain.
 */
import { RegistryError } from '../errors.ts';
import { commit, leafOf, sameHex } from './core.ts';
import type { RecordVersion } from './record-versions.ts';

/** What is wrong with `history` (oldest first), in words; empty when it is intact. */
export function historyFaults(history: readonly RecordVersion[], currentVersion?: number): string[] {
  const faults: string[] = [];
  history.forEach((v, i) => {
    const at = `version ${v.version}`;
    if (v.version !== i + 1) faults.push(`${at} is stored where version ${i + 1} should be`);
    const c = v.content;
    // Without the other record's id: it may be another office's, and the reader may not see it.
    if (c.recordId !== v.recordId) faults.push(`${at} is committed as a version of another record`);
    else if (c.version !== v.version || c.kind !== v.kind) faults.push(`${at} is committed as ${c.kind} version ${c.version}, but stored as ${v.kind} version ${v.version}`);
    const previous = i === 0 ? null : history[i - 1]!.commitment;
    if (!sameHex(c.previousCommitment, previous) || !sameHex(v.previousCommitment, previous)) faults.push(`${at} does not follow the version before it`);
    const { commitment } = commit(c, v.salt);
    if (commitment !== v.commitment) faults.push(`${at} no longer matches its commitment`);
    else if (leafOf(commitment) !== v.leaf) faults.push(`${at} no longer matches its leaf`);
  });
  const newest = history.at(-1)?.version;
  if (currentVersion !== undefined && currentVersion !== newest) {
    faults.push(`the registry calls version ${currentVersion} current, but the ledger's newest is version ${newest ?? 'none'}`);
  }
  return faults;
}

/**
 * Throws `integrity-failure` (500: the fault is the registry's, never the caller's) when
 * `history` of `recordId` is not intact; a reader is then told nothing of the record rather than
 * something the ledger no longer vouches for.
 */
export function assertHistoryIntact(recordId: string, history: readonly RecordVersion[], currentVersion?: number): void {
  const faults = historyFaults(history, currentVersion);
  if (faults.length === 0) return;
  throw new RegistryError('integrity-failure', `record ${recordId} does not match its ledger entries: ${faults.join('; ')}`, {
    details: { recordId, faults },
  });
}
