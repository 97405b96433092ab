import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { createApp } from '../http/app.ts';
import { commit } from '../ledger/core.ts';
import { certificateRoutes } from '../certificates/routes.ts';
import { readCertificateLink } from '../certificates/read-certificate.ts';
import { verificationPath } from '../certificates/verification-link.ts';
import { BIRTH, MARRIAGE, anchorEverything, correct, linkOf, register, tokenFor, type Registered } from '../certificates/testing/records.ts';
import { publicVerificationRoutes } from './routes.ts';

let env: TestEnvironment;
let app: ReturnType<typeof createApp>;
let token: string;
const paths: Record<'genuine' | 'superseded' | 'pending' | 'forged' | 'marriage', string> = { genuine: '', superseded: '', pending: '', forged: '', marriage: '' };
let genuine: Registered;

/** The page a phone opens after scanning the certificate's QR code. */
async function scannedPath(recordId: string): Promise<string> {
  const response = await app.request(`/v1/records/${recordId}/certificate.pdf`, { headers: { authorization: `Bearer ${token}` } });
  const { url } = await readCertificateLink(new Uint8Array(await response.arrayBuffer()));
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

beforeAll(async () => {
  env = await useTestEnvironment({ env: { BATCH_MAX_WAIT_MS: '100' } });
  app = createApp({
    logger: pino({ level: 'silent' }),
    readiness: {},
    routers: [
      certificateRoutes({ sql: env.sql, publicBaseUrl: 'https://verify.example.uz' }),
      publicVerificationRoutes({ sql: env.sql, rpcUrl: env.config.chain.rpcUrl, trustedContract: env.contractAddress, rateLimit: false }),
    ],
  });
  token = await tokenFor(env.sql, 'auditor');
  genuine = await register(env.sql, 'birth', '1802', BIRTH);
  const marriage = await register(env.sql, 'marriage', '2605', MARRIAGE);
  const corrected = await register(env.sql, 'birth', '0301', BIRTH);
  paths.genuine = await scannedPath(genuine.recordId);
  paths.marriage = await scannedPath(marriage.recordId);
  paths.superseded = await scannedPath(corrected.recordId); // printed before the correction
  await correct(env.sql, corrected.recordId, (d) => ({ ...d, child: { ...(d.child as object), givenName: 'Oʻgʻilxon' } }));
  await anchorEverything(env);
  const pending = await register(env.sql, 'birth', '1802', BIRTH);
  paths.pending = await scannedPath(pending.recordId);
  // A forger copies a genuine certificate's id and version, with a commitment of their own making.
  paths.forged = verificationPath({ ...linkOf(genuine.version), commitment: commit({ forged: true }).commitment });
}, 120_000);
afterAll(() => env.close());

const open = async (path: string, lang: string) => {
  const response = await app.request(`${path}&lang=${lang}`);
  return { status: response.status, html: await response.text(), headers: response.headers };
};

type BirthData = typeof BIRTH;

const headline = (html: string) => /<h1 id="verdict">(?:<span aria-hidden="true">[^<]*<\/span>)?([^<]*)<\/h1>/.exec(html)?.[1];

describe('GET /verify/:id, followed from the QR code of a printed certificate', () => {
  it.each([
    ['uz', 'Haqiqiy guvohnoma', 'Bu yozuvning amaldagi versiyasi.', 'Qayd etilgan'],
    ['ru', 'Подлинное свидетельство', 'Это действующая версия записи.', 'Зафиксировано'],
    ['en', 'Genuine certificate', 'This is the current version of the record.', 'Anchored'],
  ])('says in %s that a current anchored certificate is genuine', async (lang, title, current, anchored) => {
    const page = await open(paths.genuine, lang);
    expect(page.status).toBe(200);
    expect(headline(page.html)).toBe(title);
    expect(page.html).toContain(current);
    expect(page.html).toContain(anchored);
    expect(page.html).toMatch(/<dd>\d+<\/dd>\s*<dt>[^<]+<\/dt><dd>\d+<\/dd>/); // batch and block numbers
    expect(page.html).toMatch(/<dd class="mono">0x[0-9a-f]{64}<\/dd>/); // the transaction
    expect(page.html).toContain(genuine.registrationNumber);
    expect(page.html).toContain('Gʻulomova Oʻgʻiloy Rustam qizi');
  });

  it.each([
    ['uz', 'Haqiqiy, lekin tuzatish bilan almashtirilgan', 'Amaldagi versiya — 2'],
    ['ru', 'Подлинное, но заменено исправлением', 'Действующая версия — 2'],
    ['en', 'Genuine, but superseded by a correction', 'The current version is 2'],
  ])('says in %s that a certificate printed before a correction is superseded', async (lang, title, current) => {
    const page = await open(paths.superseded, lang);
    expect(page.status).toBe(200);
    expect(headline(page.html)).toBe(title);
    expect(page.html).toContain(current);
    expect(page.html).toContain('Oʻgʻiloy'); // what the holder's paper says, not the corrected name
    expect(page.html).not.toContain('Oʻgʻilxon');
  });

  it.each([
    ['uz', 'Kutilmoqda', 'blokcheynda qayd etiladi'],
    ['ru', 'Ожидает фиксации', 'будет зафиксирован в блокчейне'],
    ['en', 'Pending', 'will be anchored on the blockchain'],
  ])('says in %s that a fresh registration is genuine and its anchoring pending', async (lang, badge, text) => {
    const page = await open(paths.pending, lang);
    expect(page.status).toBe(200);
    expect(page.html).toContain(badge);
    expect(page.html).toContain(text);
    expect(page.html).not.toContain('/evidence.json?'); // nothing to download yet
  });

  it.each([
    ['uz', 'Tasdiqlanmadi'],
    ['ru', 'Не подтверждено'],
    ['en', 'Not confirmed'],
  ])('says in %s that a forged certificate is not confirmed, and shows nothing of the record', async (lang, title) => {
    const page = await open(paths.forged, lang);
    expect(page.status).toBe(404);
    expect(headline(page.html)).toBe(title);
    expect(page.html).not.toContain('Gʻulomova');
    expect(page.html).not.toContain(genuine.registrationNumber);
  });

  it('answers an unknown id exactly as a wrong commitment, so ids cannot be probed', async () => {
    const unknown = verificationPath({ ...linkOf(genuine.version), recordId: '6f1d2a90-0000-4000-8000-000000000000' });
    const malformed = '/verify/abc?v=1&c=xyz';
    const bodies = await Promise.all([paths.forged, unknown, malformed].map(async (p) => (await open(p.includes('?') ? p : `${p}?`, 'en')).html));
    const strip = (html: string) => html.replace(/href="[^"]*"/g, '');
    expect(strip(bodies[1]!)).toBe(strip(bodies[0]!));
    expect(strip(bodies[2]!)).toBe(strip(bodies[0]!));
  });

  it('does not vouch for a version whose stored content was altered behind the application’s back', async () => {
    const victim = await register(env.sql, 'birth', '1802', BIRTH);
    await env.sql.begin(async (tx) => {
      // Around the append-only triggers, as someone with direct database access could.
      await tx`set local session_replication_role = replica`;
      await tx`update record_versions set content = jsonb_set(content, '{data,details,child,givenName}', '"Malika"') where record_id = ${victim.recordId}`;
    });
    const page = await open(verificationPath(linkOf(victim.version)), 'en');
    expect(page.status).toBe(404);
    expect(headline(page.html)).toBe('Not confirmed');
    expect(page.html).toContain('no longer matches its sealed fingerprint');
    expect(page.html).not.toContain('Malika');
  });

  it('shows the spouses of a marriage certificate, with the surname taken at marriage', async () => {
    const page = await open(paths.marriage, 'en');
    expect(page.html).toContain('Marriage certificate');
    expect(page.html).toContain('Юсупова Нилуфар Шавкатовна → Toshmatova');
    expect(page.html).toContain('18.10.2025');
  });

  it('picks the language from Accept-Language when the link has no lang', async () => {
    const response = await app.request(paths.genuine, { headers: { 'accept-language': 'de-DE, ru-RU;q=0.8, en;q=0.5' } });
    const html = await response.text();
    expect(html).toContain('<html lang="ru">');
    expect(response.headers.get('content-language')).toBe('ru');
    expect(headline(html)).toBe('Подлинное свидетельство');
    expect(headline(await (await app.request(paths.genuine)).text())).toBe('Haqiqiy guvohnoma');
  });

  it('links the other languages from every page, keeping the link', async () => {
    const page = await open(paths.genuine, 'en');
    const c = new URL(`http://x${paths.genuine}`).searchParams.get('c')!;
    for (const [lang, name] of [['uz-Latn', 'Oʻzbekcha'], ['ru', 'Русский']] as const) {
      expect(page.html).toMatch(new RegExp(`href="[^"]*c=${c}[^"]*lang=${lang.slice(0, 2)}" hreflang="${lang}" lang="${lang}">${name}</a>`));
    }
    expect(page.html).toContain('aria-current="true">English</a>');
  });

  it('sends no script, no cache and no referrer, under a strict Content-Security-Policy', async () => {
    const page = await open(paths.genuine, 'en');
    expect(page.html).not.toMatch(/<script/i);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
  });
});

describe('the independent check of an evidence bundle', () => {
  const bundleOf = async () => {
    const href = /<a href="([^"]+evidence\.json[^"]*)"/.exec((await open(paths.genuine, 'en')).html)![1]!.replace(/&amp;/g, '&');
    const response = await app.request(href);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="evidence-.+-v1\.json"$/);
    return (await response.json()) as Record<string, unknown>;
  };
  const upload = (fields: Record<string, string | Blob>, lang = 'en') => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    return app.request(`/verify/evidence?lang=${lang}`, { method: 'POST', body: form });
  };

  it('offers the anchored version’s evidence bundle for download', async () => {
    const bundle = await bundleOf();
    expect(bundle.format).toBe('crvs-evidence-v1');
    expect(bundle.commitment).toBe(genuine.version.commitment);
  });

  it('refuses the evidence of a version to a link without its commitment', async () => {
    const response = await app.request(paths.forged.replace('?', '/evidence.json?'));
    expect(response.status).toBe(404);
  });

  it.each([
    ['uz', 'Dalillar toʻplami haqiqiy'],
    ['ru', 'Пакет доказательств подлинный'],
    ['en', 'The evidence bundle is genuine'],
  ])('confirms in %s an uploaded genuine bundle against the chain', async (lang, text) => {
    const bundle = await bundleOf();
    const response = await upload({ bundle: new File([JSON.stringify(bundle)], 'evidence.json', { type: 'application/json' }) }, lang);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(text);
  });

  it('calls a pasted bundle with an altered name forged, naming the failed step', async () => {
    const bundle = await bundleOf();
    const record = bundle.record as { data: { details: { child: { givenName: string } } } };
    record.data.details.child.givenName = 'Malika';
    const html = await (await upload({ bundleText: JSON.stringify(bundle) })).text();
    expect(html).toContain('The evidence bundle is NOT genuine.');
    expect(html).toMatch(/Canonical form \(RFC 8785\): <span class="failed">FAILED<\/span>/);
  });

  it('answers a bundle sent as JSON with the verification as JSON', async () => {
    const bundle = await bundleOf();
    const response = await app.request('/verify/evidence', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bundle) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const verification = (await response.json()) as { verdict: string; steps: { status: string }[] };
    expect(verification.verdict).toBe('genuine');
    expect(verification.steps.length).toBeGreaterThan(3);
    expect(verification.steps.every((s) => s.status === 'passed')).toBe(true);
  });

  it('calls an altered bundle sent as JSON forged', async () => {
    const bundle = await bundleOf();
    (bundle.record as { data: { details: { child: { givenName: string } } } }).data.details.child.givenName = 'Malika';
    const response = await app.request('/verify/evidence', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bundle) });
    expect(((await response.json()) as { verdict: string }).verdict).toBe('forged');
  });

  it.each([
    ['the child’s given name in capitals', (d: BirthData) => (d.child.givenName = d.child.givenName.toUpperCase())],
    ['a Kelvin sign (U+212A) for the k of the mother’s patronymic', (d: BirthData) => (d.mother.patronymic = d.mother.patronymic.replace('k', '\u212A'))],
    ['the child’s sex in capitals', (d: BirthData) => (d.child.sex = d.child.sex.toUpperCase())],
  ])('calls a bundle sent as JSON forged when its record has %s', async (_what, alter) => {
    const bundle = await bundleOf();
    const data = (bundle.record as { data: { details: BirthData } }).data.details;
    const before = JSON.stringify(data);
    alter(data);
    expect(JSON.stringify(data)).not.toBe(before);
    const response = await app.request('/verify/evidence', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bundle) });
    const verification = (await response.json()) as { verdict: string; reason: string };
    expect(verification).toMatchObject({ verdict: 'forged', reason: 'canonical: the record differs from the committed text' });
  });

  it('refuses JSON that is not an evidence bundle with 422 problem+json naming the field', async () => {
    const response = await app.request('/verify/evidence', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"format": "crvs-evidence-v1"}' });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { field?: string }).field).toBeTruthy();
    const broken = await app.request('/verify/evidence', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"format": ' });
    expect(broken.status).toBe(400);
  });

  it('says when what was sent is not an evidence bundle', async () => {
    const response = await upload({ bundleText: '{"hello": 1}' }, 'ru');
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('Это не пакет доказательств или он повреждён.');
  });
});
