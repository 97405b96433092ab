/**
 * @module
 * `POST /v1/marriages`: a registrar registers a marriage in their own office.
 */
import { createRoute } from '@hono/zod-openapi';
import { assertOfficeScope } from '../../access/roles.ts';
import type { Db } from '../../ledger/record-versions.ts';
import { headersReadByMiddleware, newRouter, type RouterDeps } from '../context.ts';
import { auditEntry, markAudited, requirePermission } from '../http/guard.ts';
import { IdempotencyKeyHeader, idempotencyKey, registerOnce, registeredBody, registeredHeaders } from '../http/idempotency.ts';
import { validationFailed, type FieldError } from '../http/problems.ts';
import { requireOffice } from '../offices.ts';
import { issueRegistrations } from '../registrations.ts';
import { marriagePeople, type IndexedPerson } from '../records/people.ts';
import { currentMarriagesOf, lockPersons } from '../records/store.ts';
import { RegistrationCreated, created, problems } from '../schemas/responses.ts';
import { MarriageRegistrationRequest } from './schema.ts';
import { checkMarriage } from './rules.ts';

const registerMarriage = createRoute({
  method: 'post',
  path: '/v1/marriages',
  tags: ['Registrations'],
  summary: 'Register a marriage',
  description:
    'Registers a marriage in the registrar\'s own office. Both spouses must be at least 18 on the date of the marriage, ' +
    'be two different persons, and neither may be in a current marriage recorded here.',
  security: [{ bearer: [] }],
  middleware: [requirePermission('registrations.issue'), idempotencyKey()] as const,
  request: { headers: IdempotencyKeyHeader, body: { required: true, content: { 'application/json': { schema: MarriageRegistrationRequest } } } },
  responses: {
    201: created(RegistrationCreated, 'Registered; the record version is pending anchoring.'),
    ...problems('malformed-request', 'unauthenticated', 'forbidden', 'conflict', 'payload-too-large', 'unsupported-media-type', 'validation-failed'),
  },
});

/**
 * Inside the registration's transaction: locks both spouses, then refuses either one who is a
 * spouse in a current marriage recorded here (other than `exclude`, the marriage being corrected).
 */
export function noCurrentMarriage(people: readonly IndexedPerson[], exclude: string | null, prefix = '') {
  return async (tx: Db): Promise<void> => {
    await lockPersons(tx, people);
    const found = await Promise.all(people.map((p) => currentMarriagesOf(tx, p, exclude)));
    const errors: FieldError[] = [];
    found.forEach((numbers, i) => {
      if (numbers.length) errors.push({ field: `${prefix}spouses.${i}`, reason: `is in a current marriage recorded here (${numbers.join(', ')})` });
    });
    if (errors.length) throw validationFailed(errors);
  };
}

export function marriageRoutes(deps: RouterDeps) {
  const app = newRouter();
  app.openapi(headersReadByMiddleware(app, registerMarriage), async (c) => {
    const { office: code, ...details } = c.req.valid('json');
    assertOfficeScope(c.get('principal'), code);
    const office = await requireOffice(deps.office, code);
    const errors = checkMarriage(details);
    if (errors.length) throw validationFailed(errors);
    const people = marriagePeople(details);
    const sent = { key: c.get('idempotencyKey'), kind: 'marriage', office: office.code, details };
    const { issued, replayed } = await registerOnce(c, deps.sql, sent, async (recordId) => {
      // Not through the group-commit queue: the marriage rules lock the persons first.
      const [issued] = await issueRegistrations(
        deps.sql,
        [{ recordId, kind: 'marriage', office, details, people, birthIdentity: null, audit: auditEntry(c, 201, recordId) }],
        noCurrentMarriage(people, null),
      );
      markAudited(c);
      deps.metrics.registrationsIssued.inc({ kind: 'marriage' });
      return issued!;
    });
    return c.json(registeredBody(issued), 201, registeredHeaders(issued, replayed));
  });
  return app;
}
