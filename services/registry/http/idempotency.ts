/**
 * @module
 * `Idempotency-Key` on registrations (draft-ietf-httpapi-idempotency-key-header): a desk that did
 * not get its answer (a dropped line, a 503, a timeout) sends the same registration again with the
 * same key, and gets the registration it already made instead of a second one.
 *
 * No table of keys: the key decides the record id. The id is a name-based UUID (RFC 9562 §5.5)
 * of the token and the key, so a key means one record per token, and the record id's uniqueness
 * in the ledger is what keeps a repeat (even a concurrent one) from registering twice. (Such ids
 * are not time-ordered, as ids without a key are, record-versions.ts: a repeat may come at any time.)
 */
import { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { RegistryEnv } from '../context.ts';
import { v5 as nameBasedUuid } from 'uuid';
import { newRecordId, type Db } from '../../ledger/record-versions.ts';
import { canonicalise } from '../../ledger/core.ts';
import { RegistryError } from '../../errors.ts';
import type { Principal } from '../../access/roles.ts';
import { findIssued } from '../records/store.ts';
import type { Issued } from '../registrations.ts';
import { validationHook } from './problems.ts';

/** This registry's namespace for name-based record ids (a fixed, random UUID). */
const RECORD_ID_NAMESPACE = 'a8e4c2d6-5b1f-4f7e-9c3a-2d6b8e0f1a47';

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{8,128}$/, 'must be 8 to 128 letters, digits or . _ : -')
    .optional()
    .openapi({
      description:
        'Makes sending the same registration again safe: a repeat with the same key answers the registration already made ' +
        '(201 with `Idempotent-Replayed: true`) instead of making another. Use a fresh UUID per registration. ' +
        'Reusing a key for a different registration is refused (409).',
      example: '6f1c2a9e-4b7d-4e53-9a0c-1d2e3f4a5b6c',
    }),
});

/**
 * Checks the request's `Idempotency-Key` against {@link IdempotencyKeyHeader}, before the body is
 * read, with the problem a header validator gives, and keeps it for the handler
 * (`c.get('idempotencyKey')`). The registration routes declare the header for the OpenAPI document
 * only (context.ts, `headersReadByMiddleware`): @hono/zod-openapi's header validator first copies
 * every header of the request into a web `Headers` object, which @hono/node-server otherwise never
 * builds, and that cost about a sixth of the API's CPU per registration (tests/bench/registry.ts).
 */
export const idempotencyKey = (): MiddlewareHandler<RegistryEnv> =>
  async function idempotencyKey(c, next) {
    const sent = { 'idempotency-key': c.req.header('idempotency-key') };
    const checked = IdempotencyKeyHeader.safeParse(sent);
    if (!checked.success) return validationHook({ ...checked, data: sent, target: 'header' }, c);
    c.set('idempotencyKey', checked.data['idempotency-key']);
    await next();
  };

/** The record id of a registration: from its key when it has one, otherwise fresh. */
function recordIdFor(principal: Principal, key: string | undefined): string {
  return key ? nameBasedUuid(`${principal.tokenId}\n${key}`, RECORD_ID_NAMESPACE) : newRecordId();
}

/**
 * The registration already made under `recordId`, if the same registration was sent before: the
 * same kind, office and details (compared in their canonical form, RFC 8785). A different one
 * under the same key is a conflict: the client reused a key.
 */
export async function earlierRegistration(db: Db, recordId: string, sent: { kind: string; office: string; details: unknown }): Promise<Issued | undefined> {
  const earlier = (await findIssued(db, [recordId])).get(recordId);
  if (!earlier) return undefined;
  const same = earlier.kind === sent.kind && earlier.office === sent.office && canonicalise(earlier.details) === canonicalise(sent.details);
  if (!same) {
    throw new RegistryError('conflict', 'this Idempotency-Key was used for a different registration: use a fresh key for each registration', {
      field: 'Idempotency-Key',
    });
  }
  return earlier;
}

/**
 * Registers with `issue` under the record id its key gives, unless a request with the same key did
 * already: then that registration is the answer, and the audit trail's entry for this request
 * names it. Two requests with one key at once collide on the record id (or, for marriages, the
 * second finds the couple married by the first), and the second answers the first's registration.
 */
export async function registerOnce(
  c: Context<RegistryEnv>,
  db: Db,
  sent: { key: string | undefined; kind: string; office: string; details: unknown },
  issue: (recordId: string) => Promise<Issued>,
): Promise<{ issued: Issued; replayed: boolean }> {
  const recordId = recordIdFor(c.get('principal'), sent.key);
  if (!sent.key) return { issued: await issue(recordId), replayed: false };
  const earlier = async () => {
    const first = await earlierRegistration(db, recordId, sent);
    if (first) c.set('auditRecordId', first.recordId);
    return first;
  };
  const before = await earlier();
  if (before) return { issued: before, replayed: true };
  try {
    return { issued: await issue(recordId), replayed: false };
  } catch (error) {
    const first = await earlier();
    if (!first) throw error;
    return { issued: first, replayed: true };
  }
}

/** The body of a registration's 201. */
export const registeredBody = (issued: Issued) => ({
  id: issued.recordId,
  registrationNumber: issued.registrationNumber,
  version: issued.version,
  commitment: issued.commitment,
  status: 'pending' as const,
});

/** The headers of a registration's 201; a repeat answered from the earlier one says so (`Idempotent-Replayed`). */
export const registeredHeaders = (issued: Issued, replayed: boolean): Record<string, string> => ({
  location: `/v1/records/${issued.recordId}`,
  ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
});
