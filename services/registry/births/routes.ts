/**
 * @module
 * `POST /v1/births`: a registrar registers a birth in their own office.
 */
import { createRoute } from '@hono/zod-openapi';
import { assertOfficeScope } from '../../access/roles.ts';
import { headersReadByMiddleware, newRouter, type RouterDeps } from '../context.ts';
import { auditEntry, markAudited, requirePermission } from '../http/guard.ts';
import { IdempotencyKeyHeader, idempotencyKey, registerOnce, registeredBody, registeredHeaders } from '../http/idempotency.ts';
import { validationFailed } from '../http/problems.ts';
import { requireOffice } from '../offices.ts';
import { birthIdentity, birthPeople } from '../records/people.ts';
import { RegistrationCreated, created, problems } from '../schemas/responses.ts';
import { BirthRegistrationRequest } from './schema.ts';
import { checkBirth } from './rules.ts';

const registerBirth = createRoute({
  method: 'post',
  path: '/v1/births',
  tags: ['Registrations'],
  summary: 'Register a birth',
  description:
    'Registers a birth in the registrar\'s own office and answers with its registration number. The place of birth must be in the office\'s region; ' +
    'no date may be in the future; the child must be born after each parent; a parent younger than 14 at the birth needs `confirmations.parentYoungerThan14`. ' +
    'A birth is registered once: the same child (family and given names, date of birth) of the same mother, in either script, is `409` naming the registration that exists.',
  security: [{ bearer: [] }],
  middleware: [requirePermission('registrations.issue'), idempotencyKey()] as const,
  request: { headers: IdempotencyKeyHeader, body: { required: true, content: { 'application/json': { schema: BirthRegistrationRequest } } } },
  responses: {
    201: created(RegistrationCreated, 'Registered; the record version is pending anchoring.'),
    ...problems('malformed-request', 'unauthenticated', 'forbidden', 'conflict', 'payload-too-large', 'unsupported-media-type', 'validation-failed'),
  },
});

export function birthRoutes(deps: RouterDeps) {
  const app = newRouter();
  app.openapi(headersReadByMiddleware(app, registerBirth), async (c) => {
    const { office: code, ...input } = c.req.valid('json');
    assertOfficeScope(c.get('principal'), code);
    const office = await requireOffice(deps.office, code);
    const checked = checkBirth(input, office);
    if (checked.errors.length) throw validationFailed(checked.errors);
    const { confirmed, ...details } = checked.details;
    const sent = { key: c.get('idempotencyKey'), kind: 'birth', office: office.code, details };
    const { issued, replayed } = await registerOnce(c, deps.sql, sent, async (recordId) => {
      const issued = await deps.issue({
        recordId,
        kind: 'birth',
        office,
        details,
        confirmed,
        people: birthPeople(details),
        birthIdentity: birthIdentity(details),
        audit: auditEntry(c, 201, recordId),
      });
      markAudited(c);
      deps.metrics.registrationsIssued.inc({ kind: 'birth' });
      return issued;
    });
    return c.json(registeredBody(issued), 201, registeredHeaders(issued, replayed));
  });
  return app;
}
