/**
 * @module
 * `GET /v1/records/:id/certificate.pdf` (`routes.ts`) as the registry API's OpenAPI document lists it.
 */
import { createRoute } from '@hono/zod-openapi';
import { RecordParams } from '../registry/records/params.ts';
import { problems } from '../registry/schemas/responses.ts';

export const CERTIFICATE_ROUTE_DOCS = [
  createRoute({
    method: 'get',
    path: '/v1/records/{id}/certificate.pdf',
    tags: ['Records'],
    summary: 'Print the certificate of a record',
    description:
      "An A4 PDF of the current version in Uzbek (Latin) and Russian, with a QR code leading to the public verification page. For registrars of the record's office and auditors; never cached.",
    security: [{ bearer: [] }],
    request: { params: RecordParams },
    responses: {
      200: {
        description: 'The certificate; `x-record-version` and `x-record-commitment` name the version printed.',
        content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
      },
      ...problems('malformed-request', 'unauthenticated', 'forbidden', 'not-found'),
    },
  }),
];
