/**
 * @module
 * The link a certificate's QR code carries: `PUBLIC_BASE_URL/verify/<id>?v=<version>&c=<commitment>`.
 *
 * A QR code printed on paper must scan at the first try from a phone held at arm's length, so the
 * link is kept short enough for QR version 6 (41×41 modules) at error correction level M (ISO/IEC
 * 18004: 106 bytes in byte mode, ~15 % of the symbol recoverable after a fold or a stamp):
 * the record id (a UUID) and the 32-byte commitment are written in base64url (RFC 4648 §5), 22 and
 * 43 characters instead of 36 and 66: the link is the base URL + 79 bytes + the version's digits,
 * 101 bytes with the default base URL; a base URL of up to 25 characters stays within version 6.
 * The page also accepts the long forms (a UUID with dashes, a 0x-prefixed hex commitment), so a
 * link typed by hand from the certificate's printed text works too.
 *
 * @example
 *   const url = verificationUrl('https://my.gov.uz', { recordId, version: 2, commitment });
 *   const link = parseVerificationLink(new URL(url).pathname.split('/')[2]!, '2', commitmentParam);
 */
import QRCode from 'qrcode';
import { fromHex, isHex32, toHex, type Hex } from '../ledger/core.ts';

export interface VerificationLink {
  recordId: string;
  version: number;
  commitment: Hex;
}

/** The QR error correction level printed on certificates (ISO/IEC 18004 level M). */
export const QR_ERROR_CORRECTION = 'M' as const;
/** The largest QR version the default configuration may produce (41×41 modules). */
export const QR_MAX_VERSION = 6;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function verificationPath(link: VerificationLink): string {
  return `/verify/${compactUuid(link.recordId)}?v=${link.version}&c=${Buffer.from(fromHex(link.commitment)).toString('base64url')}`;
}

/** The full link; `baseUrl` is PUBLIC_BASE_URL (a trailing slash is ignored). */
export function verificationUrl(baseUrl: string, link: VerificationLink): string {
  return `${baseUrl.replace(/\/+$/, '')}${verificationPath(link)}`;
}

/**
 * Reads the three parts of a link; undefined when any is malformed (the page then answers exactly
 * as for an unknown record, so a malformed link tells nothing either).
 */
export function parseVerificationLink(id: string, version: string | undefined, commitment: string | undefined): VerificationLink | undefined {
  const recordId = parseRecordId(id);
  const v = version !== undefined && /^[1-9][0-9]{0,8}$/.test(version) ? Number(version) : undefined;
  const c = commitment === undefined ? undefined : parseCommitment(commitment);
  if (recordId === undefined || v === undefined || c === undefined) return undefined;
  return { recordId, version: v, commitment: c };
}

/** Reads a link from a full URL (as decoded from a QR code); undefined when it is not one. */
export function parseVerificationUrl(url: string): VerificationLink | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  const match = /\/verify\/([^/]+)$/.exec(parsed.pathname);
  if (!match) return undefined;
  return parseVerificationLink(decodeURIComponent(match[1]!), parsed.searchParams.get('v') ?? undefined, parsed.searchParams.get('c') ?? undefined);
}

export function parseRecordId(id: string): string | undefined {
  if (UUID.test(id)) return id.toLowerCase();
  if (id.length !== 22 || !BASE64URL.test(id)) return undefined;
  const bytes = Buffer.from(id, 'base64url');
  if (bytes.length !== 16 || bytes.toString('base64url') !== id) return undefined;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function parseCommitment(value: string): Hex | undefined {
  const lower = value.toLowerCase();
  if (isHex32(lower)) return lower;
  if (value.length !== 43 || !BASE64URL.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  // Refuse non-canonical encodings (stray low bits in the last character): one commitment, one link.
  if (bytes.length !== 32 || bytes.toString('base64url') !== value) return undefined;
  return toHex(bytes);
}

export function compactUuid(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The QR version (1–40) the link needs at level M. */
export function qrVersionOf(url: string): number {
  return QRCode.create(url, { errorCorrectionLevel: QR_ERROR_CORRECTION }).version;
}

/**
 * The QR code as a PNG, one module per `scale` pixels with the 4-module quiet zone ISO/IEC 18004
 * requires, black on white (the highest contrast for cheap office printers).
 */
export function qrPng(url: string, scale = 8): Promise<Buffer> {
  return QRCode.toBuffer(url, {
    type: 'png',
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    margin: 4,
    scale,
    color: { dark: '#000000ff', light: '#ffffffff' },
  });
}
