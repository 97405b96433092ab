/**
 * @module
 * The archive's HTTP routes, for archivists and everyone who may read records:
 *
 * | route | permission | answers |
 * |---|---|---|
 * | `GET /v1/archive/search?q=&limit=` | `records.read` | documents matching a name, date or number, Latin or Cyrillic |
 * | `GET /v1/archive/documents/:id` | `records.read` | the document, its OCR text, objects and ledger history |
 * | `GET /v1/archive/review?limit=` | `records.read` | documents waiting for review, with the fields to look at |
 * | `POST /v1/archive/documents/:id/review` | `archive.ingest` (archivist) | confirm or fix one field: a new ledger version |
 *
 * Authentication is the registry API's bearer-token middleware (RFC 6750) unless another is given;
 * errors are thrown as {@link RegistryError}s and rendered as RFC 9457 problems by the app.
 *
 * @example
 *   createApp({ logger, readiness, routers: [archiveRoutes({ sql, store })] });
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Sql } from '../../services/database/client.ts';
import type { ObjectStore } from '../../services/objectstore/client.ts';
import { RegistryError } from '../../services/errors.ts';
import { recordAudit } from '../../services/audit-trail/trail.ts';
import type { RegistryEnv } from '../../services/registry/context.ts';
import { auditEntry, bearerAuth, markAudited, requirePermission } from '../../services/registry/http/guard.ts';
import { documentHistory, getDocument, reviewQueue } from './catalogue.ts';
import { ReviewRequest, reviewField } from './review.ts';
import { searchArchive } from './search.ts';

export interface ArchiveRoutesOptions {
  sql: Sql;
  store: ObjectStore;
  /** Sets the request's `principal`; default: the registry API's bearer-token authentication. */
  authenticate?: MiddlewareHandler<RegistryEnv>;
}

export const SearchQuery = z.object({
  q: z.string().min(1, 'required').max(200).meta({ description: 'A name, date or number, in Latin or Cyrillic.', example: 'Юсуфов' }),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export const ReviewListQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() });

function parse<T>(schema: z.ZodType<T>, input: unknown, code: 'malformed-request' | 'validation-failed'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  throw new RegistryError(code, `${field ?? 'input'}: ${issue?.message ?? 'invalid'}`, { field });
}

export const archiveRoutes = (options: ArchiveRoutesOptions): Hono => {
  const { sql } = options;
  const app = new Hono<RegistryEnv>();
  const authenticate = options.authenticate ?? bearerAuth({ sql });
  // Mounted on one app beside the registry's router, whose `/v1/*` middleware then runs first and
  // has already authenticated the request: do not ask the database twice.
  app.use('/v1/archive/*', async function archiveAuth(c, next) {
    if (c.get('principal')) return next();
    return authenticate(c, next);
  });

  app.get('/v1/archive/search', requirePermission('records.read'), async (c) => {
    const query = parse(SearchQuery, c.req.query(), 'malformed-request');
    const results = await searchArchive(sql, query.q, { limit: query.limit });
    return c.json({ query: query.q, count: results.length, results });
  });

  app.get('/v1/archive/review', requirePermission('records.read'), async (c) => {
    const query = parse(ReviewListQuery, c.req.query(), 'malformed-request');
    const documents = await reviewQueue(sql, { limit: query.limit });
    return c.json({ count: documents.length, documents });
  });

  app.get('/v1/archive/documents/:id', requirePermission('records.read'), async (c) => {
    const document = await getDocument(sql, c.req.param('id'));
    return c.json({ ...document, history: await documentHistory(sql, document.id) });
  });

  app.post('/v1/archive/documents/:id/review', requirePermission('archive.ingest'), bodyLimit({ maxSize: 64 * 1024, onError: tooLarge }), async (c) => {
    const body = await c.req.json().catch((error) => {
      throw new RegistryError('malformed-request', 'the body must be a JSON object', { cause: error });
    });
    const principal = c.get('principal');
    try {
      const request = parse(ReviewRequest, body, 'validation-failed');
      const document = await reviewField(sql, c.req.param('id'), request, { role: principal.role, office: principal.office, subject: principal.tokenId });
      await audit(sql, c, 200);
      return c.json({ ...document, history: await documentHistory(sql, document.id) });
    } catch (error) {
      await audit(sql, c, error instanceof RegistryError ? error.status : 500);
      throw error;
    }
  });

  // createApp mounts plain routers; the request variables stay typed inside this one.
  return new Hono().route('/', app);
};

const tooLarge = (): never => {
  throw new RegistryError('payload-too-large', 'a review is a small JSON object (64 KiB at most)');
};

/** Every review attempt is on the audit trail with its outcome, refused ones included. */
async function audit(sql: Sql, c: Parameters<typeof auditEntry>[0], status: number): Promise<void> {
  const id = c.req.param('id') ?? '';
  // The column holds UUIDs: a malformed id in the path is recorded in the path only.
  const recordId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : null;
  await recordAudit(sql, auditEntry(c, status, recordId));
  markAudited(c);
}
