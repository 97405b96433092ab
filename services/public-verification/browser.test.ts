/**
 * The verification page in a real browser: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), the app served on a free loopback port, JavaScript disabled as on a locked
 * down phone. Screenshots go to tests/artifacts/verification/ (git-ignored). axe-core checks
 * accessibility in a second, script-enabled context (axe is itself a script), at phone width.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { createApp } from '../http/app.ts';
import { commit } from '../ledger/core.ts';
import { evidenceBundle } from '../ledger/evidence.ts';
import { verificationPath } from '../certificates/verification-link.ts';
import { BIRTH, MARRIAGE, anchorEverything, correct, linkOf, register } from '../certificates/testing/records.ts';
import { publicVerificationRoutes } from './routes.ts';

const ARTIFACTS = path.resolve('tests/artifacts/verification');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 360, height: 780 };

let env: TestEnvironment;
let server: ServerType;
let base: string;
let browser: Browser;
let noScript: BrowserContext;
let withAxe: BrowserContext;
let bundleFile: string;
const paths = { genuine: '', superseded: '', pending: '', forged: '' };

beforeAll(async () => {
  env = await useTestEnvironment({ env: { BATCH_MAX_WAIT_MS: '100' } });
  const app = createApp({
    logger: pino({ level: 'silent' }),
    readiness: {},
    routers: [publicVerificationRoutes({ sql: env.sql, rpcUrl: env.config.chain.rpcUrl, trustedContract: env.contractAddress, rateLimit: { limit: 1000 } })],
  });
  const genuine = await register(env.sql, 'marriage', '2605', MARRIAGE);
  const corrected = await register(env.sql, 'birth', '1802', BIRTH);
  await correct(env.sql, corrected.recordId, (d) => ({ ...d, child: { ...(d.child as object), givenName: 'Oʻgʻilxon' } }));
  await anchorEverything(env);
  const pending = await register(env.sql, 'birth', '0301', BIRTH);
  paths.genuine = verificationPath(linkOf(genuine.version));
  paths.superseded = verificationPath(linkOf(corrected.version));
  paths.pending = verificationPath(linkOf(pending.version));
  paths.forged = verificationPath({ ...linkOf(genuine.version), commitment: commit({ forged: true }).commitment });
  mkdirSync(ARTIFACTS, { recursive: true });
  bundleFile = path.join(env.dataDir, 'evidence.json');
  writeFileSync(bundleFile, JSON.stringify(await evidenceBundle(env.sql, genuine.version.commitment)));

  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  noScript = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
  withAxe = await browser.newContext({ viewport: PHONE, bypassCSP: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await env?.close();
});

const VERDICTS = {
  genuine: { uz: 'Haqiqiy guvohnoma', ru: 'Подлинное свидетельство', en: 'Genuine certificate' },
  superseded: { uz: 'Haqiqiy, lekin tuzatish bilan almashtirilgan', ru: 'Подлинное, но заменено исправлением', en: 'Genuine, but superseded by a correction' },
  pending: { uz: 'Haqiqiy guvohnoma', ru: 'Подлинное свидетельство', en: 'Genuine certificate' },
  forged: { uz: 'Tasdiqlanmadi', ru: 'Не подтверждено', en: 'Not confirmed' },
} as const;
const ANCHORING = {
  genuine: { uz: 'Qayd etilgan', ru: 'Зафиксировано', en: 'Anchored' },
  superseded: { uz: 'Qayd etilgan', ru: 'Зафиксировано', en: 'Anchored' },
  pending: { uz: 'Kutilmoqda', ru: 'Ожидает фиксации', en: 'Pending' },
  forged: undefined,
} as const;
const TAGS = { uz: 'uz-Latn', ru: 'ru', en: 'en' } as const;

type Scenario = keyof typeof VERDICTS;
const cases = (Object.keys(VERDICTS) as Scenario[]).flatMap((scenario) => (['uz', 'ru', 'en'] as const).map((lang) => [scenario, lang] as const));

describe('the verification page in Chromium with JavaScript disabled', () => {
  it.each(cases)('shows the %s certificate’s verdict in %s, and passes axe with no serious violation', async (scenario, lang) => {
    const page = await noScript.newPage();
    const response = await page.goto(`${base}${paths[scenario]}&lang=${lang}`);
    expect(response!.status()).toBe(scenario === 'forged' ? 404 : 200);
    expect(await page.locator('html').getAttribute('lang')).toBe(TAGS[lang]);
    expect((await page.locator('h1').innerText()).replace(/^[✓✗!]\s*/, '')).toBe(VERDICTS[scenario][lang]);
    const anchoring = ANCHORING[scenario];
    if (anchoring) await expect(page.locator('.badge').innerText()).resolves.toContain(anchoring[lang]);
    else expect(await page.locator('dl').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, `${scenario}-${lang}.png`), fullPage: true });
    await page.close();

    const audited = await withAxe.newPage();
    await audited.goto(`${base}${paths[scenario]}&lang=${lang}`);
    await audited.addScriptTag({ content: AXE });
    const result = (await audited.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as {
      violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[];
    };
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    // Reflows at phone width without horizontal scrolling (WCAG 2.2 SC 1.4.10).
    expect(await audited.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    await audited.close();
  });

  it('switches language by following a plain link', async () => {
    const page = await noScript.newPage();
    await page.goto(`${base}${paths.superseded}&lang=uz`);
    await page.getByRole('link', { name: 'Русский' }).click();
    await page.waitForURL(/lang=ru/);
    expect(await page.locator('h1').innerText()).toContain(VERDICTS.superseded.ru);
    await page.close();
  });

  it('checks an uploaded evidence bundle through the plain HTML form', async () => {
    const page = await noScript.newPage();
    await page.goto(`${base}${paths.genuine}&lang=en`);
    await page.getByLabel('Evidence bundle file (JSON)').setInputFiles(bundleFile);
    await page.getByRole('button', { name: 'Check against the blockchain' }).click();
    await page.waitForURL(/\/verify\/evidence/);
    expect(await page.locator('h1').innerText()).toContain('The evidence bundle is genuine');
    await page.screenshot({ path: path.join(ARTIFACTS, 'evidence-check-en.png'), fullPage: true });
    await page.close();
  });
});
