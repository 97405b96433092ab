import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { createApp } from '../http/app.ts';
import { certificateRoutes } from './routes.ts';
import { readCertificateLink } from './read-certificate.ts';
import { pdfText } from './pdf-text.ts';
import { BIRTH, MARRIAGE, correct, linkOf, register, tokenFor, type Registered } from './testing/records.ts';

let env: TestEnvironment;
let app: ReturnType<typeof createApp>;
let birth: Registered;
let marriage: Registered;
const tokens: Record<string, string> = {};
const ISSUED = new Date('2026-03-01T20:30:00Z'); // 2 March in Tashkent (UTC+5)

beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  app = createApp({
    logger: pino({ level: 'silent' }),
    readiness: {},
    routers: [certificateRoutes({ sql: env.sql, publicBaseUrl: 'https://verify.example.uz', now: () => ISSUED })],
  });
  birth = await register(env.sql, 'birth', '1802', BIRTH);
  marriage = await register(env.sql, 'marriage', '2605', MARRIAGE);
  tokens.registrar = await tokenFor(env.sql, 'registrar', '1802');
  tokens.otherRegistrar = await tokenFor(env.sql, 'registrar', '2605');
  tokens.auditor = await tokenFor(env.sql, 'auditor');
  tokens.archivist = await tokenFor(env.sql, 'archivist');
  tokens.admin = await tokenFor(env.sql, 'admin');
});
afterAll(() => env.close());

const certificate = (recordId: string, token?: string) =>
  app.request(`/v1/records/${recordId}/certificate.pdf`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

async function pdfOf(response: Response): Promise<Uint8Array> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  return new Uint8Array(await response.arrayBuffer());
}

describe('GET /v1/records/:id/certificate.pdf', () => {
  it('gives the registrar of the office a one-page A4 birth certificate in Uzbek and Russian', async () => {
    const pdf = await pdfOf(await certificate(birth.recordId, tokens.registrar));
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);

    const { pages, missingGlyphs } = await pdfText(pdf);
    const text = pages[0]!;
    expect(missingGlyphs).toBe(0);
    expect(text).toEqual(expect.arrayContaining(['TUGʻILGANLIK HAQIDA GUVOHNOMA', 'СВИДЕТЕЛЬСТВО О РОЖДЕНИИ', birth.registrationNumber]));
    expect(text).toEqual(expect.arrayContaining(['Gʻulomova', 'Oʻgʻiloy', 'Rustam qizi', 'ayol / женский', '03.10.2025', 'Urgut, Urgut tumani, Samarqand viloyati']));
    expect(text).toEqual(expect.arrayContaining(['Gʻulomova Dilnoza Akmal qizi', 'Gʻulomov Rustam Olim oʻgʻli', 'Oʻzbekiston / Узбекистан']));
    expect(text).toEqual(expect.arrayContaining(["Urgut tumani FHDYo bo'limi (1802)", '02.03.2026']));
    expect(text.join('\n')).not.toContain('41804961230045'); // no PINFL on the certificate
  });

  it('carries a QR code that decodes to the public page of the current version', async () => {
    const pdf = await pdfOf(await certificate(birth.recordId, tokens.registrar));
    const found = await readCertificateLink(pdf);
    expect(found.url.startsWith('https://verify.example.uz/verify/')).toBe(true);
    expect(found.link).toEqual(linkOf(birth.version));
  });

  it('prints the corrected version after a correction, with its own QR code', async () => {
    const corrected = await register(env.sql, 'birth', '1802', BIRTH);
    const v2 = await correct(env.sql, corrected.recordId, (d) => ({ ...d, child: { ...(d.child as object), givenName: 'Oʻgʻilxon' } }));
    const pdf = await pdfOf(await certificate(corrected.recordId, tokens.registrar));
    expect((await readCertificateLink(pdf)).link).toEqual(linkOf(v2));
    const text = (await pdfText(pdf)).pages[0]!;
    expect(text).toContain('Oʻgʻilxon');
    expect(text).not.toContain('Oʻgʻiloy');
  });

  it('prints a marriage certificate with both spouses and their surnames after the marriage', async () => {
    const pdf = await pdfOf(await certificate(marriage.recordId, tokens.otherRegistrar));
    const { pages, missingGlyphs } = await pdfText(pdf);
    expect(missingGlyphs).toBe(0);
    expect(pages[0]).toEqual(
      expect.arrayContaining([
        'NIKOH TUZILGANLIGI HAQIDA GUVOHNOMA',
        'СВИДЕТЕЛЬСТВО О ЗАКЛЮЧЕНИИ БРАКА',
        '18.10.2025',
        'Toshmatov Jasur Baxtiyor oʻgʻli',
        'Юсупова Нилуфар Шавкатовна',
        'Toshmatova',
        'Qozogʻiston / Казахстан',
      ]),
    );
  });

  it('lets an auditor print any office’s certificate', async () => {
    await pdfOf(await certificate(marriage.recordId, tokens.auditor));
  });

  it.each([
    ['a registrar of another office', 'otherRegistrar', 403, 'forbidden'],
    ['an archivist', 'archivist', 403, 'forbidden'],
    ['an admin', 'admin', 403, 'forbidden'],
    ['a request without a token', undefined, 401, 'unauthenticated'],
  ])('refuses %s', async (_, who, status, code) => {
    const response = await certificate(birth.recordId, who ? tokens[who] : undefined);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { type: string }).type).toBe(`urn:crvs:problem:${code}`);
  });

  it('prints no certificate of a record whose committed content was edited behind the application’s back', async () => {
    const victim = await register(env.sql, 'birth', '1802', BIRTH);
    await env.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`; // around the append-only triggers
      await tx`update record_versions set content = jsonb_set(content, '{data,details,child,givenName}', '"Soxta"') where record_id = ${victim.recordId}`;
    });
    const response = await certificate(victim.recordId, tokens.registrar);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { type: string }).type).toBe('urn:crvs:problem:integrity-failure');
  });

  it('prints no certificate of a record whose correction was undone in the registry index', async () => {
    const corrected = await register(env.sql, 'birth', '1802', BIRTH);
    await correct(env.sql, corrected.recordId, (d) => ({ ...d, child: { ...(d.child as object), givenName: 'Oʻgʻilxon' } }));
    await env.sql`update registry_records set current_version = 1 where record_id = ${corrected.recordId}`;
    expect((await certificate(corrected.recordId, tokens.registrar)).status).toBe(500);
  });

  it('answers 404 for an id that is not a registration', async () => {
    for (const id of ['6f1d2a90-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const response = await certificate(id, tokens.auditor);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { type: string }).type).toBe('urn:crvs:problem:not-found');
    }
  });
});
