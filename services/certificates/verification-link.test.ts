import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/env.ts';
import { commit } from '../ledger/core.ts';
import {
  QR_MAX_VERSION,
  parseVerificationLink,
  parseVerificationUrl,
  qrVersionOf,
  verificationUrl,
  type VerificationLink,
} from './verification-link.ts';

const link: VerificationLink = {
  recordId: '0b7d3a52-8f0e-4c4e-9a55-3b8f4a1c2d7e',
  version: 12,
  commitment: commit({ any: 'content' }).commitment,
};

describe('the verification link of a certificate', () => {
  it('reads back the record id, version and commitment it was written from', () => {
    expect(parseVerificationUrl(verificationUrl('https://my.gov.uz', link))).toEqual(link);
  });

  it('writes the id and commitment in base64url to stay short', () => {
    const url = verificationUrl('http://127.0.0.1:8080/', link);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/verify\/[A-Za-z0-9_-]{22}\?v=12&c=[A-Za-z0-9_-]{43}$/);
  });

  it('fits QR version 6 at error correction M with the default PUBLIC_BASE_URL', () => {
    const base = loadConfig({}).publicBaseUrl;
    expect(base).toBe('http://127.0.0.1:8080');
    expect(qrVersionOf(verificationUrl(base, { ...link, version: 99 }))).toBeLessThanOrEqual(QR_MAX_VERSION);
  });

  it('fits QR version 6 with a public address of up to 25 characters', () => {
    const base = 'https://verify.fhdyo.uz';
    expect(base.length).toBeLessThanOrEqual(25);
    expect(qrVersionOf(verificationUrl(base.padEnd(25, 'z'), { ...link, version: 99 }))).toBeLessThanOrEqual(QR_MAX_VERSION);
    expect(qrVersionOf(verificationUrl(`${base}/long/path`, link))).toBeGreaterThan(QR_MAX_VERSION);
  });

  it('accepts the long forms typed from the printed text: a dashed UUID and a 0x commitment', () => {
    expect(parseVerificationLink(link.recordId.toUpperCase(), '12', link.commitment.toUpperCase().replace('0X', '0x'))).toEqual(link);
  });

  it.each([
    ['a short id', 'abc', '12', undefined],
    ['a version of zero', undefined, '0', undefined],
    ['a version with a sign', undefined, '+1', undefined],
    ['a missing version', undefined, undefined, undefined],
    ['a truncated commitment', undefined, '12', 'q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6'],
    ['a non-canonical commitment', undefined, '12', 'q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6t'],
    ['a hex commitment without 0x', undefined, '12', 'ab'.repeat(32)],
  ])('refuses %s', (_, id, version, commitment) => {
    const good = new URL(verificationUrl('http://x', link));
    const c = commitment ?? good.searchParams.get('c')!;
    expect(parseVerificationLink(id ?? good.pathname.split('/')[2]!, version, c)).toBeUndefined();
  });

  it('finds no link in a URL of another path', () => {
    expect(parseVerificationUrl('https://example.org/other/abc?v=1&c=x')).toBeUndefined();
    expect(parseVerificationUrl('not a url')).toBeUndefined();
  });
});
