/**
 * @module
 * Issuing a certificate: the record's registration (number, office, day) from the registry's index,
 * its current version from the ledger, and the verification link to that version, assembled into
 * a {@link Certificate} ready to draw.
 */
import type { Db } from '../ledger/record-versions.ts';
import { recordHistory, type RecordVersion } from '../ledger/record-versions.ts';
import { RegistryError } from '../errors.ts';
import { assertHistoryIntact } from '../ledger/history-check.ts';
import type { Certificate, CertificateKind } from './certificate.ts';
import { certificateSections, committedRegistration } from './record-fields.ts';
import { parseRecordId, verificationUrl } from './verification-link.ts';

/** A birth or marriage as the registry indexes it (migration 0003, `registry_records`). */
export interface Registration {
  recordId: string;
  /** The version the registry calls current (the ledger's newest, unless someone changed the index). */
  currentVersion: number;
  kind: CertificateKind;
  officeCode: string;
  officeName: string;
  registrationNumber: string;
  registeredAt: Date;
}

export async function registrationOf(db: Db, recordId: string): Promise<Registration | undefined> {
  const id = parseRecordId(recordId);
  if (!id) return undefined;
  const [row] = await db<{ record_id: string; current_version: number; kind: CertificateKind; office_code: string; office_name: string; registration_number: string; registered_at: Date }[]>`
    select r.record_id, r.current_version, r.kind, r.office_code, o.name as office_name, r.registration_number, r.registered_at
    from registry_records r join registry_offices o on o.code = r.office_code
    where r.record_id = ${id}`;
  if (!row) return undefined;
  return {
    recordId: row.record_id,
    currentVersion: row.current_version,
    kind: row.kind,
    officeCode: row.office_code,
    officeName: row.office_name,
    registrationNumber: row.registration_number,
    registeredAt: row.registered_at,
  };
}

/**
 * The latest version in the ledger (a correction is a new version, so the last one is current),
 * once the whole history is checked (history-check.ts): a certificate is never printed from a
 * version that no longer matches its ledger entry, nor from a record whose correction was undone.
 */
export async function currentVersion(db: Db, registration: Pick<Registration, 'recordId' | 'currentVersion'>): Promise<RecordVersion> {
  const history = await recordHistory(db, registration.recordId);
  const current = history.at(-1);
  if (!current) throw new RegistryError('not-found', `record ${registration.recordId} has no version in the ledger`);
  assertHistoryIntact(registration.recordId, history, registration.currentVersion);
  return current;
}

export interface IssueOptions {
  /** PUBLIC_BASE_URL: where the QR code points. */
  publicBaseUrl: string;
  issuedAt?: Date;
}

/** The certificate of `version` (normally the current one) of a registered birth or marriage. */
export function buildCertificate(registration: Registration, version: RecordVersion, options: IssueOptions): Certificate {
  const link = { recordId: version.recordId, version: version.version, commitment: version.commitment };
  // What the ledger committed to wins over the index: it is what the evidence bundle proves.
  const committed = committedRegistration(version.content.data);
  return {
    kind: registration.kind,
    ...link,
    registrationNumber: committed.number ?? registration.registrationNumber,
    registeredOn: committed.registeredOn ?? registration.registeredAt,
    office: `${registration.officeName} (${registration.officeCode})`,
    issuedAt: options.issuedAt ?? new Date(),
    sections: certificateSections(registration.kind, version.content.data),
    verificationUrl: verificationUrl(options.publicBaseUrl, link),
  };
}
