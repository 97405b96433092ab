/**
 * @module
 * The public verification routes: no login, rate limited per client address, server-rendered HTML
 * without JavaScript, in Uzbek, Russian and English.
 *
 *   GET  /verify/:id?v=&c=[&lang=]         the verdict on a certificate's QR link
 *   GET  /verify/:id/evidence.json?v=&c=    the version's evidence bundle (only with the matching commitment)
 *   POST /verify/evidence[?lang=]           an evidence bundle (file or pasted text) checked against the chain;
 *                                           sent as `application/json`, the verification is answered as JSON
 *
 * An unknown id, a wrong version, a wrong or malformed commitment all get the same 404 page.
 *
 * @example
 *   app.route('/', publicVerificationRoutes({ sql, rpcUrl: config.chain.rpcUrl, trustedContract }));
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Sql } from '../database/client.ts';
import { RegistryError, oneLineMessage } from '../errors.ts';
import { problemResponse } from '../http/problem.ts';
import { evidenceBundle, parseEvidence, EvidenceNotReadyError, type EvidenceBundle } from '../ledger/evidence.ts';
import { verifyEvidence } from '../ledger/evidence-verifier.ts';
import { compactUuid, parseVerificationLink, verificationPath, type VerificationLink } from '../certificates/verification-link.ts';
import { publicSummary } from '../certificates/record-fields.ts';
import { chooseLanguage } from './language.ts';
import { LANGUAGE_TAGS, type Language } from './messages.ts';
import { layout, STYLE_SOURCE, type Html } from './layout.ts';
import { evidenceResultBody, verdictBody, type EvidenceOutcome } from './page.ts';
import { verdictFor } from './verdict.ts';
import { publicRateLimit, type PublicRateLimitOptions } from './rate-limit.ts';

export interface PublicVerificationOptions {
  sql: Sql;
  /** Chain endpoint for evidence checks (CHAIN_RPC_URL). */
  rpcUrl: string;
  /** The registry's contract: a bundle naming another one is not genuine. */
  trustedContract?: string;
  /** Per-address limit on every public route (default 30 per minute); false only in tests. */
  rateLimit?: PublicRateLimitOptions | false;
}

/** Evidence bundles are a few kilobytes; refuse anything far larger before reading it. */
const MAX_BUNDLE_BYTES = 256 * 1024;

const CSP = `default-src 'none'; style-src ${STYLE_SOURCE}; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const securityHeaders: MiddlewareHandler = async function securityHeaders(c, next) {
  await next();
  // The pages show personal data to whoever holds the link: never cached, never sent on as a referrer.
  c.header('cache-control', 'no-store');
  c.header('referrer-policy', 'no-referrer');
  c.header('x-content-type-options', 'nosniff');
  c.header('x-robots-tag', 'noindex, nofollow');
  c.header('vary', 'Accept-Language');
  if (c.res.headers.get('content-type')?.startsWith('text/html')) c.header('content-security-policy', CSP);
};

export const publicVerificationRoutes = (options: PublicVerificationOptions): Hono => {
  const app = new Hono();
  app.use('/verify/*', securityHeaders);
  if (options.rateLimit !== false) app.use('/verify/*', publicRateLimit(options.rateLimit ?? {}));

  app.post(
    '/verify/evidence',
    bodyLimit({ maxSize: MAX_BUNDLE_BYTES, onError: (c) => problemResponse(c, new RegistryError('payload-too-large', `an evidence bundle is at most ${MAX_BUNDLE_BYTES / 1024} KiB`)) }),
    async (c) => {
      if (isJson(c)) return checkEvidenceJson(c, options);
      const language = languageOf(c);
      const outcome = await checkUploadedEvidence(c, options);
      const body = evidenceResultBody(language, outcome, evidenceAction(language));
      return page(c, language, body, (l) => evidenceAction(l), outcome.kind === 'malformed' ? 422 : 200);
    },
  );

  app.get('/verify/:id', async (c) => {
    const language = languageOf(c);
    const link = linkOf(c);
    const verdict = await verdictFor(options.sql, link);
    const anchored = verdict.outcome === 'genuine' && verdict.anchoring.status === 'anchored';
    const body = verdictBody({
      language,
      verdict,
      evidenceAction: evidenceAction(language),
      ...(anchored && link ? { evidenceHref: evidencePath(link) } : {}),
    });
    const self = (l: Language) => withLanguage(c, l);
    return page(c, language, body, self, verdict.outcome === 'genuine' ? 200 : 404);
  });

  app.get('/verify/:id/evidence.json', async (c) => {
    const link = linkOf(c);
    const bundle = link ? await bundleFor(options.sql, link) : undefined;
    if (!bundle) throw new RegistryError('not-found', 'no anchored record version matches this link');
    return c.body(`${JSON.stringify(bundle, null, 2)}\n`, 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="evidence-${compactUuid(link!.recordId)}-v${link!.version}.json"`,
    });
  });

  return app;
};

function languageOf(c: Context): Language {
  return chooseLanguage(c.req.query('lang'), c.req.header('accept-language'));
}

function linkOf(c: Context): VerificationLink | undefined {
  return parseVerificationLink(c.req.param('id') ?? '', c.req.query('v'), c.req.query('c'));
}

function page(c: Context, language: Language, body: Html, selfHref: (l: Language) => string, status: 200 | 404 | 422): Response | Promise<Response> {
  c.header('content-language', LANGUAGE_TAGS[language]);
  return c.html(layout({ language, selfHref, body }), status);
}

/** The current page's path and query with `lang` set: the language switch works without script. */
function withLanguage(c: Context, language: Language): string {
  const url = new URL(c.req.url);
  url.searchParams.set('lang', language);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

const evidenceAction = (language: Language) => `/verify/evidence?lang=${language}`;

function evidencePath(link: VerificationLink): string {
  return verificationPath(link).replace('?', '/evidence.json?');
}

/** The bundle of the linked version, or undefined when the link does not match or it is not anchored yet. */
async function bundleFor(sql: Sql, link: VerificationLink): Promise<EvidenceBundle | undefined> {
  try {
    const bundle = await evidenceBundle(sql, link.commitment);
    const record = bundle.record as { recordId?: unknown; version?: unknown };
    return record.recordId === link.recordId && record.version === link.version ? bundle : undefined;
  } catch (error) {
    if (error instanceof EvidenceNotReadyError || (error instanceof RegistryError && error.code === 'not-found')) return undefined;
    throw error;
  }
}

const isJson = (c: Context) => /^application\/(?:[\w.+-]+\+)?json\b/i.test(c.req.header('content-type') ?? '');

/**
 * For programs (an agency's system holding a bundle): the bundle as the request body, the
 * verification as the answer, `verdict` first; a body that is no bundle is 422 problem+json.
 */
async function checkEvidenceJson(c: Context, options: PublicVerificationOptions): Promise<Response> {
  let bundle: EvidenceBundle;
  try {
    bundle = parseEvidence(JSON.parse(await c.req.text()));
  } catch (error) {
    if (error instanceof SyntaxError) return problemResponse(c, new RegistryError('malformed-request', oneLineReason(error)));
    const field = error instanceof RegistryError ? error.field : undefined;
    return problemResponse(c, new RegistryError('validation-failed', oneLineReason(error), { field: field ?? 'bundle' }));
  }
  const verification = await verifyEvidence(bundle, options.rpcUrl, { trustedContract: options.trustedContract });
  return c.json(verification, 200);
}

async function checkUploadedEvidence(c: Context, options: PublicVerificationOptions): Promise<EvidenceOutcome> {
  let bundle: EvidenceBundle;
  try {
    const form = await c.req.parseBody();
    const file = form.bundle;
    const pasted = typeof form.bundleText === 'string' ? form.bundleText.trim() : '';
    const text = file instanceof File && file.size > 0 ? await file.text() : pasted;
    if (!text) throw new RegistryError('malformed-request', 'choose an evidence bundle file or paste its text');
    bundle = parseEvidence(JSON.parse(text));
  } catch (error) {
    return { kind: 'malformed', reason: oneLineReason(error) };
  }
  const verification = await verifyEvidence(bundle, options.rpcUrl, { trustedContract: options.trustedContract });
  const record = bundle.record as { recordId?: unknown; version?: unknown; kind?: unknown; data?: unknown };
  const data = record.data && typeof record.data === 'object' ? (record.data as Record<string, unknown>) : {};
  return {
    kind: 'checked',
    verification,
    recordId: String(record.recordId ?? '?'),
    version: Number(record.version ?? 0),
    summary: publicSummary(String(record.kind ?? ''), data),
  };
}

function oneLineReason(error: unknown): string {
  return error instanceof SyntaxError ? `not JSON: ${oneLineMessage(error)}` : oneLineMessage(error);
}
