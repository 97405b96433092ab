/**
 * @module
 * What the public page may say about a verification link, decided from the ledger.
 *
 * The lookup goes by commitment only, then compares the record id and version of the link: an
 * unknown id, a wrong version and a wrong commitment all end in the same `not-confirmed`, after the
 * same one query, so the page cannot be used to learn whether an id exists. Only a link carrying
 * the record's 256-bit commitment (printed on the certificate) unlocks the summary.
 *
 * Before saying "genuine" the record's whole history is checked (ledger/history-check.ts: each
 * version re-committed with its salt, the chain of versions, the current one the newest): a row
 * altered behind the application's back is not vouched for.
 */
import type { Db } from '../ledger/record-versions.ts';
import { anchoringStatuses, recordHistory, versionByCommitment, type AnchoringStatus } from '../ledger/record-versions.ts';
import type { Hex } from '../ledger/core.ts';
import { historyFaults } from '../ledger/history-check.ts';
import { registrationOf } from '../certificates/issue.ts';
import { committedRegistration, publicSummary, type PublicSummary } from '../certificates/record-fields.ts';
import type { VerificationLink } from '../certificates/verification-link.ts';

export interface Genuine {
  outcome: 'genuine';
  recordId: string;
  commitment: Hex;
  version: number;
  totalVersions: number;
  /** Set when a later version (a correction) replaced this one. */
  supersededBy?: { version: number; correctedAt: Date };
  anchoring: AnchoringStatus;
  registration?: { registrationNumber: string; registeredOn: string | Date; office: string };
  summary?: PublicSummary;
}

export type PageVerdict = Genuine | { outcome: 'not-confirmed' } | { outcome: 'integrity-failure' };

export async function verdictFor(db: Db, link: VerificationLink | undefined): Promise<PageVerdict> {
  if (!link) return { outcome: 'not-confirmed' };
  const version = await versionByCommitment(db, link.commitment);
  if (!version || version.recordId !== link.recordId || version.version !== link.version) return { outcome: 'not-confirmed' };

  const [history, statuses, registration] = await Promise.all([
    recordHistory(db, version.recordId),
    anchoringStatuses(db, [version.id]),
    registrationOf(db, version.recordId),
  ]);
  // The whole history, not only the linked version: a correction removed or undone behind the
  // application's back would otherwise let a superseded certificate pass as current.
  if (historyFaults(history, registration?.currentVersion).length) return { outcome: 'integrity-failure' };
  const latest = history.at(-1)!;
  const committed = committedRegistration(version.content.data);
  const next = history.find((v) => v.version === version.version + 1);
  return {
    outcome: 'genuine',
    recordId: version.recordId,
    commitment: version.commitment,
    version: version.version,
    totalVersions: latest.version,
    ...(next ? { supersededBy: { version: latest.version, correctedAt: next.createdAt } } : {}),
    anchoring: statuses.get(version.id) ?? { status: 'pending' },
    ...(registration
      ? {
          registration: {
            registrationNumber: committed.number ?? registration.registrationNumber,
            registeredOn: committed.registeredOn ?? registration.registeredAt,
            office: `${registration.officeName} (${registration.officeCode})`,
          },
        }
      : {}),
    summary: publicSummary(version.kind, version.content.data),
  };
}
