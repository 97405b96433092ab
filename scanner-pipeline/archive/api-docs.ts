/**
 * @module
 * The archive's routes (`routes.ts`) as the registry API's OpenAPI document lists them. The
 * routes validate with the very schemas named here (SearchQuery, ReviewListQuery, ReviewRequest),
 * so the document cannot drift from what is enforced; the response shapes are those of
 * `catalogue.ts`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Anchoring, Hex32, problems } from '../../services/registry/schemas/responses.ts';
import { ReviewRequest } from './review.ts';
import { ReviewListQuery, SearchQuery } from './routes.ts';

const DocumentId = z.object({ id: z.uuid().openapi({ example: '0b4c2a51-3f1e-4c2d-9a7b-6e5f4d3c2b1a' }) });

const FieldTree = z
  .record(z.string(), z.unknown())
  .openapi('ArchiveFields', {
    description: 'Extracted fields by path (child, mother, father, spouse1, registration, …); each leaf is `{ value, confidence (0..1), reviewed? }`.',
    example: { child: { familyName: { value: 'Юсуфов', confidence: 0.93 }, dateOfBirth: { value: '1983-11-13', confidence: 0.88 } } },
  });

const ReviewStatus = z.enum(['not-needed', 'needs-review', 'reviewed']);

const ArchiveDocument = z
  .object({
    id: z.uuid(),
    sourceFile: z.string(),
    kind: z.enum(['birth', 'marriage']).nullable(),
    language: z.string().nullable().openapi({ description: 'The language the text was read in: rus, uzb or uzb_cyrl.' }),
    pages: z.number().int(),
    ocrText: z.string(),
    ocrConfidence: z.number().nullable(),
    fields: FieldTree,
    reviewStatus: ReviewStatus,
    pendingReview: z.array(z.string()).openapi({ description: 'Field paths waiting for an archivist.' }),
    objects: z.array(
      z.object({ key: z.string(), sha256: z.string().openapi({ description: 'SHA-256 of the stored bytes, committed to the ledger.' }), role: z.enum(['original', 'page-image', 'ocr-text', 'hocr']) }),
    ),
    version: z.number().int(),
    commitment: Hex32,
    createdAt: z.string(),
    updatedAt: z.string(),
    history: z.array(
      z.object({ version: z.number().int(), commitment: Hex32, previousCommitment: Hex32.nullable(), createdAt: z.string(), anchoring: Anchoring, review: z.unknown().optional() }),
    ),
  })
  .openapi('ArchiveDocument');

const LedgerAgreement = z.enum(['matches', 'differs']).openapi({
  description: 'Whether the document still matches what its newest ledger version commits to; `differs` is an integrity failure to investigate (`crvs audit`), and the document\'s content is withheld.',
});
const LedgerFaults = z.array(z.string()).optional().openapi({ description: 'What differs from the ledger, when it does.' });

const SearchHit = z.object({
  id: z.uuid(),
  sourceFile: z.string(),
  kind: z.string().nullable(),
  language: z.string().nullable(),
  reviewStatus: ReviewStatus,
  fields: FieldTree.nullable().openapi({ description: 'Withheld (null) when the document no longer matches its ledger entry.' }),
  ledger: LedgerAgreement,
  faults: LedgerFaults,
  score: z.number().openapi({ description: '0..1: 0.5 when every word is in the document, up to 0.3 for the closest spelling, 0.2 for a literal match.' }),
  createdAt: z.string(),
});

const ReviewItem = z.object({
  id: z.uuid(),
  sourceFile: z.string(),
  kind: z.string().nullable(),
  language: z.string().nullable(),
  pendingReview: z.array(z.object({ field: z.string(), value: z.string().nullable(), confidence: z.number() })),
  ledger: LedgerAgreement,
  faults: LedgerFaults,
  createdAt: z.string(),
});

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

export const ARCHIVE_ROUTE_DOCS = [
  createRoute({
    method: 'get',
    path: '/v1/archive/search',
    tags: ['Archive'],
    summary: 'Search archived documents',
    description: 'By any name, date or number in the fields or the OCR text, typed in Latin or Cyrillic (one folded search form for both).',
    security: [{ bearer: [] }],
    request: { query: SearchQuery },
    responses: {
      200: json(z.object({ query: z.string(), count: z.number().int(), results: z.array(SearchHit) }), 'The best matches first.'),
      ...problems('malformed-request', 'validation-failed', 'unauthenticated', 'forbidden'),
    },
  }),
  createRoute({
    method: 'get',
    path: '/v1/archive/review',
    tags: ['Archive'],
    summary: 'Documents waiting for review',
    description: 'Documents with fields read below the review threshold, with those fields.',
    security: [{ bearer: [] }],
    request: { query: ReviewListQuery },
    responses: {
      200: json(z.object({ count: z.number().int(), documents: z.array(ReviewItem) }), 'Oldest first.'),
      ...problems('malformed-request', 'unauthenticated', 'forbidden'),
    },
  }),
  createRoute({
    method: 'get',
    path: '/v1/archive/documents/{id}',
    tags: ['Archive'],
    summary: 'Read an archived document',
    description: 'The document, its OCR text, its stored objects and every ledger version with its anchoring status.',
    security: [{ bearer: [] }],
    request: { params: DocumentId },
    responses: { 200: json(ArchiveDocument, 'The document.'), ...problems('unauthenticated', 'forbidden', 'not-found') },
  }),
  createRoute({
    method: 'post',
    path: '/v1/archive/documents/{id}/review',
    tags: ['Archive'],
    summary: 'Confirm or fix one field (archivists)',
    description: 'Writes a new ledger version of the document; the earlier versions stay as they are.',
    security: [{ bearer: [] }],
    request: {
      params: DocumentId,
      body: { required: true, content: { 'application/json': { schema: ReviewRequest, example: { field: 'child.givenName', action: 'fix', value: 'Abdulqodir', version: 1 } } } },
    },
    responses: {
      200: json(ArchiveDocument, 'The document as it is now.'),
      ...problems('malformed-request', 'validation-failed', 'unauthenticated', 'forbidden', 'not-found', 'conflict', 'payload-too-large'),
    },
  }),
];
