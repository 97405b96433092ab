/**
 * @module
 * Checking a certificate PDF without the registry's API or database, in layers:
 *
 *   link      the QR code holds a verification link (record id, version, commitment)
 *   evidence  the evidence bundle is of that very version: same record id, version and commitment
 *   chain     the bundle verifies against the chain (services/ledger/evidence-verifier.ts)
 *   printed   every field the certificate should print for that record is printed on it, so a
 *             PDF whose names were edited around a genuine QR code is caught
 *
 * Without a bundle only the first layer runs: the link alone cannot be checked against the chain,
 * which holds Merkle roots, not commitments.
 */
import type { EvidenceBundle } from '../ledger/evidence.ts';
import { verifyEvidence, type EvidenceVerification } from '../ledger/evidence-verifier.ts';
import { readCertificateLink, type CertificateLink } from './read-certificate.ts';
import { pdfText } from './pdf-text.ts';
import { certificateSections, committedRegistration } from './record-fields.ts';
import { formatDate } from './certificate.ts';

export type CertificateVerdict = 'found' | 'genuine' | 'mismatch' | 'altered' | 'forged' | 'unverifiable';

export interface CertificateCheck extends CertificateLink {
  verdict: CertificateVerdict;
  reason?: string;
  /** Present when a bundle was given and it is of the linked version. */
  evidence?: EvidenceVerification;
  /** Values the record says the certificate prints that it does not (only with a bundle). */
  missingFromPrint?: string[];
  /** Where the bundle says the version was anchored (confirmed on chain when the verdict is genuine). */
  anchoring?: Pick<EvidenceBundle, 'batchId' | 'chainId' | 'contractAddress' | 'transactionHash' | 'blockNumber'>;
}

export interface CheckOptions {
  bundle?: EvidenceBundle;
  rpcUrl: string;
  trustedContract?: string;
}

const normalise = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim();

export async function checkCertificate(pdf: Uint8Array, options: CheckOptions): Promise<CertificateCheck> {
  const found = await readCertificateLink(pdf);
  const { bundle } = options;
  if (!bundle) return { ...found, verdict: 'found' };

  const record = bundle.record as { recordId?: unknown; version?: unknown; kind?: unknown; data?: unknown };
  const differences = [
    record.recordId !== found.link.recordId && `record id ${String(record.recordId)} ≠ ${found.link.recordId}`,
    record.version !== found.link.version && `version ${String(record.version)} ≠ ${found.link.version}`,
    bundle.commitment !== found.link.commitment && `commitment ${bundle.commitment} ≠ ${found.link.commitment}`,
  ].filter((d): d is string => typeof d === 'string');
  if (differences.length) {
    return { ...found, verdict: 'mismatch', reason: `the evidence bundle is of another record version than the certificate's QR code: ${differences.join('; ')}` };
  }

  const evidence = await verifyEvidence(bundle, options.rpcUrl, { trustedContract: options.trustedContract });
  const { batchId, chainId, contractAddress, transactionHash, blockNumber } = bundle;
  const anchoring = { batchId, chainId, contractAddress, transactionHash, blockNumber };
  if (evidence.verdict !== 'genuine') return { ...found, verdict: evidence.verdict, reason: evidence.reason, evidence, anchoring };

  const printed = normalise((await pdfText(pdf)).pages.flat().join(' '));
  const data = record.data && typeof record.data === 'object' ? (record.data as Record<string, unknown>) : {};
  const registration = committedRegistration(data);
  const expected = [
    ...(registration.number ? [registration.number] : []),
    ...(registration.registeredOn ? [formatDate(registration.registeredOn)] : []),
    ...certificateSections(String(record.kind), data).flatMap((s) => s.fields.map((f) => normalise(f.value))),
  ];
  const missingFromPrint = expected.filter((value) => !printed.includes(value));
  if (missingFromPrint.length) {
    return {
      ...found,
      verdict: 'altered',
      reason: `the record is genuine, but the certificate does not print what it says: ${missingFromPrint.map((v) => JSON.stringify(v)).join(', ')}`,
      evidence,
      missingFromPrint,
      anchoring,
    };
  }
  return { ...found, verdict: 'genuine', evidence, missingFromPrint, anchoring };
}
