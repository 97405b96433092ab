/**
 * @module
 * Correcting a registration: a new version of its record with a stated reason, in one transaction
 * with the record's index and people and the audit entry. The corrected version stays in the
 * ledger as it was; the new one names its commitment. A correction sent again as it was is
 * answered with the version it made.
 */
import type { Sql, TransactionSql } from '../database/client.ts';
import { appendRecordVersion, recordHistory } from '../ledger/record-versions.ts';
import { assertHistoryIntact } from '../ledger/history-check.ts';
import { canonicalise } from '../ledger/core.ts';
import { RegistryError } from '../errors.ts';
import { recordAudit, type AuditEntry } from '../audit-trail/trail.ts';
import type { BirthIdentity, IndexedPerson } from './records/people.ts';
import { BIRTH_IDENTITY_INDEXES, advanceRecord, findBirthHolders, findRegistryRecord, type RegistrationKind } from './records/store.ts';
import { birthRegisteredAlready, judgeBirth } from './births/registered-once.ts';
import type { Issued, RegistrationContent } from './registrations.ts';

interface Step {
  /** Runs first in the transaction (marriages: lock the persons, check current marriages). */
  before?: (tx: TransactionSql) => Promise<void>;
  /** Written in the same transaction. */
  audit: AuditEntry;
}

export interface NewCorrection extends Step {
  recordId: string;
  kind: RegistrationKind;
  /** Births: the identity of the corrected birth, which moves with the record. */
  birthIdentity: BirthIdentity | null;
  /** The version the registrar corrected; anything else is current now → conflict. */
  correctsVersion: number;
  reason: string;
  details: Record<string, unknown>;
  confirmed?: unknown[];
  people: readonly IndexedPerson[];
}

/** The parts of a version's content that a correction sets: compared to recognise a repeated one. */
const correctionOf = (c: Pick<RegistrationContent, 'details' | 'confirmed' | 'correction'>): string =>
  canonicalise({ details: c.details, confirmed: c.confirmed ?? null, correction: c.correction ?? null });

/**
 * Appends the corrected version. When the version it corrects was already corrected in exactly this
 * way (same details, confirmations and reason: the request sent again after its answer was lost,
 * or the same correction from a second desk), that version is the answer, `replayed`, and nothing
 * is written. Any other correction of a version that is no longer current is a conflict.
 */
export async function correctRegistration(sql: Sql, r: NewCorrection): Promise<Issued & { replayed: boolean }> {
  try {
    return await correctInTransaction(sql, r);
  } catch (error) {
    if (!BIRTH_IDENTITY_INDEXES.has((error as { constraint_name?: string }).constraint_name ?? '') || !r.birthIdentity) throw error;
    // The corrected details are those of another birth registered here, or of a namesake mother's.
    const held = await findBirthHolders(sql, [r.birthIdentity], r.recordId).catch(() => undefined);
    const judgement = held && judgeBirth(r.birthIdentity, held);
    if (judgement && 'repeats' in judgement) throw birthRegisteredAlready(judgement.repeats.registrationNumber);
    if (judgement) return correctRegistration(sql, { ...r, birthIdentity: judgement.identity });
    // That birth's registration was itself corrected away meanwhile: nothing to name, and never a 500.
    throw new RegistryError('conflict', 'the corrected details collided with a registration changed at the same moment; reload the record and send the correction again', { cause: error });
  }
}

function correctInTransaction(sql: Sql, r: NewCorrection): Promise<Issued & { replayed: boolean }> {
  return sql.begin(async (tx) => {
    const record = await findRegistryRecord(tx, r.recordId, { lock: true });
    if (!record) throw new RegistryError('not-found', `no record ${r.recordId}`);
    const history = await recordHistory(tx, r.recordId);
    // A correction carries the current version's registration forward and commits to it anew: built
    // on a row edited behind the application's back, it would seal the edit as a genuine version.
    assertHistoryIntact(r.recordId, history, record.currentVersion);
    const correction = { reason: r.reason, correctsVersion: r.correctsVersion };
    if (record.currentVersion !== r.correctsVersion) {
      const made = history.find((v) => v.version === r.correctsVersion + 1);
      if (made && correctionOf(made.content.data as unknown as RegistrationContent) === correctionOf({ details: r.details, confirmed: r.confirmed, correction })) {
        return { recordId: r.recordId, registrationNumber: record.registrationNumber, version: made.version, commitment: made.commitment, replayed: true };
      }
      throw new RegistryError('conflict', `version ${r.correctsVersion} is not the current version (${record.currentVersion}): reload the record and correct the current version`, {
        field: 'correctsVersion',
        details: { currentVersion: record.currentVersion },
      });
    }
    await r.before?.(tx);
    const current = history[history.length - 1]!;
    const previous = current.content.data as unknown as RegistrationContent;
    const content: RegistrationContent = {
      registration: previous.registration,
      details: r.details,
      ...(r.confirmed ? { confirmed: r.confirmed } : {}),
      correction,
    };
    const version = await appendRecordVersion(tx, {
      recordId: r.recordId,
      kind: r.kind,
      data: content as unknown as Record<string, unknown>,
      previous: { version: current.version, commitment: current.commitment },
    });
    await advanceRecord(tx, r.recordId, version.version, r.people, r.birthIdentity);
    await recordAudit(tx, { ...r.audit, recordId: r.recordId, status: 201 });
    return { recordId: r.recordId, registrationNumber: record.registrationNumber, version: version.version, commitment: version.commitment, replayed: false };
  }) as Promise<Issued & { replayed: boolean }>;
}
