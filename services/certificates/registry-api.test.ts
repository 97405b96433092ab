/**
 * Certificates and the public page over records written by the registry API itself (POST
 * /v1/births, /v1/marriages, /v1/records/:id/corrections), mounted together as `startSystem` does.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { createApp } from '../http/app.ts';
import { registryRoutes } from '../registry/routes.ts';
import { BIRTH_EXAMPLE } from '../registry/births/schema.ts';
import { MARRIAGE_EXAMPLE } from '../registry/marriages/schema.ts';
import { publicVerificationRoutes } from '../public-verification/routes.ts';
import { certificateRoutes } from './routes.ts';
import { readCertificateLink } from './read-certificate.ts';
import { pdfText } from './pdf-text.ts';
import { tokenFor } from './testing/records.ts';

let env: TestEnvironment;
let app: ReturnType<typeof createApp>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  env = await useTestEnvironment();
  const logger = pino({ level: 'silent' });
  app = createApp({
    logger,
    readiness: {},
    routers: [
      registryRoutes({ sql: env.sql, logger }),
      certificateRoutes({ sql: env.sql, publicBaseUrl: env.config.publicBaseUrl }),
      publicVerificationRoutes({ sql: env.sql, rpcUrl: env.config.chain.rpcUrl, rateLimit: false }),
    ],
  });
  tokens['1802'] = await tokenFor(env.sql, 'registrar', '1802');
  tokens['2605'] = await tokenFor(env.sql, 'registrar', '2605');
});
afterAll(() => env.close());

const send = (method: string, path: string, token: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function printed(id: string, token: string) {
  const response = await send('GET', `/v1/records/${id}/certificate.pdf`, token);
  expect(response.status).toBe(200);
  const pdf = new Uint8Array(await response.arrayBuffer());
  const { url, link } = await readCertificateLink(pdf);
  const page = new URL(url);
  return { link, text: (await pdfText(pdf)).pages[0]!, page: `${page.pathname}${page.search}` };
}

const headline = async (path: string) => /<h1 id="verdict">(?:<span[^>]*>[^<]*<\/span>)?([^<]*)<\/h1>/.exec(await (await app.request(`${path}&lang=en`)).text())?.[1];

describe('a certificate of a registration made through the registry API', () => {
  it('prints the registered birth and leads to its page, then to "superseded" once corrected', async () => {
    const created = (await (await send('POST', '/v1/births', tokens['1802']!, BIRTH_EXAMPLE)).json()) as { id: string; registrationNumber: string; commitment: string };
    const first = await printed(created.id, tokens['1802']!);
    expect(first.link).toEqual({ recordId: created.id, version: 1, commitment: created.commitment });
    expect(first.text).toEqual(expect.arrayContaining([created.registrationNumber, 'Karimova', 'Mohinur', 'Rustam qizi', "Karimov Rustam Olim o'g'li"]));
    expect(await headline(first.page)).toBe('Genuine certificate');

    const correction = await send('POST', `/v1/records/${created.id}/corrections`, tokens['1802']!, {
      correctsVersion: 1,
      reason: 'Given name corrected to match the maternity hospital record',
      details: { ...BIRTH_EXAMPLE, office: undefined, child: { ...BIRTH_EXAMPLE.child, givenName: 'Mohinoz' } },
    });
    expect(correction.status).toBe(201);
    expect(await headline(first.page)).toBe('Genuine, but superseded by a correction');
    const second = await printed(created.id, tokens['1802']!);
    expect(second.link.version).toBe(2);
    expect(second.text).toContain('Mohinoz');
    expect(await headline(second.page)).toBe('Genuine certificate');
  });

  it('prints a registered marriage with both spouses and the surnames after it', async () => {
    const created = (await (await send('POST', '/v1/marriages', tokens['2605']!, MARRIAGE_EXAMPLE)).json()) as { id: string; registrationNumber: string };
    const { text } = await printed(created.id, tokens['2605']!);
    expect(text).toEqual(expect.arrayContaining([created.registrationNumber, '18.10.2025', 'Yusupova Nilufar Shavkat qizi', 'Toshmatova']));
  });
});
