/**
 * @module
 * Reading records: `GET /v1/records/:id` (current version, history, anchoring status) and
 * `GET /v1/records/:id/evidence` (the evidence bundle once anchored; 202 + Retry-After before).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { RegistryError } from '../../errors.ts';
import { EvidenceNotReadyError, evidenceBundle } from '../../ledger/evidence.ts';
import { newRouter, type RouterDeps } from '../context.ts';
import { requirePermission } from '../http/guard.ts';
import { RecordView, problems } from '../schemas/responses.ts';
import { RecordParams, visibleRecord } from './params.ts';
import { loadDocument, recordView } from './view.ts';

const getRecord = createRoute({
  method: 'get',
  path: '/v1/records/{id}',
  tags: ['Records'],
  summary: 'Read a record',
  description: 'The current version with its committed content, every version of the record, and each version\'s anchoring status.',
  security: [{ bearer: [] }],
  middleware: [requirePermission('records.read')] as const,
  request: { params: RecordParams },
  responses: {
    200: { description: 'The record.', content: { 'application/json': { schema: RecordView } } },
    ...problems('malformed-request', 'unauthenticated', 'forbidden', 'not-found'),
  },
});

const EvidenceQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional().openapi({ description: 'The version whose evidence to give; default the current one.', example: 1 }),
});

const EvidencePending = z
  .object({ status: z.enum(['pending', 'sealed']), retryAfterSeconds: z.number().int(), detail: z.string() })
  .openapi('EvidencePending');

const getEvidence = createRoute({
  method: 'get',
  path: '/v1/records/{id}/evidence',
  tags: ['Records'],
  summary: 'Evidence bundle of a record version',
  description:
    'Once the version\'s batch is anchored: the self-contained evidence bundle (canonical record, salt, commitment, leaf, proof, batch, root, chain, contract, transaction) ' +
    'that `crvs verify evidence FILE` checks against the chain alone. Before that: 202 with Retry-After.',
  security: [{ bearer: [] }],
  middleware: [requirePermission('records.read')] as const,
  request: { params: RecordParams, query: EvidenceQuery },
  responses: {
    200: {
      description: 'The evidence bundle (format crvs-evidence-v1).',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi('EvidenceBundle') } },
    },
    202: { description: 'Not anchored yet: ask again after Retry-After seconds.', content: { 'application/json': { schema: EvidencePending } } },
    ...problems('malformed-request', 'unauthenticated', 'forbidden', 'not-found'),
  },
});

export function recordRoutes(deps: RouterDeps) {
  const app = newRouter();

  app.openapi(getRecord, async (c) => {
    const record = await visibleRecord(deps, c, c.req.valid('param').id);
    const doc = await loadDocument(deps.sql, record);
    return c.json(recordView(doc, await deps.office(record.office)), 200);
  });

  app.openapi(getEvidence, async (c) => {
    const record = await visibleRecord(deps, c, c.req.valid('param').id);
    const wanted = c.req.valid('query').version ?? record.currentVersion;
    const doc = await loadDocument(deps.sql, record);
    const version = doc.history.find((v) => v.version === wanted);
    if (!version) throw new RegistryError('not-found', `record ${record.recordId} has no version ${wanted}`, { field: 'version' });
    try {
      return c.json(await evidenceBundle(deps.sql, version.id), 200);
    } catch (error) {
      if (!(error instanceof EvidenceNotReadyError)) throw error;
      const retryAfterSeconds = deps.evidenceRetryAfterSeconds;
      return c.json({ status: error.anchoring, retryAfterSeconds, detail: error.message }, 202, { 'retry-after': String(retryAfterSeconds) });
    }
  });

  return app;
}
