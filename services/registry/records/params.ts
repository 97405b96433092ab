/**
 * @module
 * Path parameters shared by the record routes, and loading a record the caller may see.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { RegistryError } from '../../errors.ts';
import { assertOfficeScope } from '../../access/roles.ts';
import type { RegistryEnv, RouterDeps } from '../context.ts';
import { findRegistryRecord, type RegistryRecord } from './store.ts';
import { RECORD_ID_EXAMPLE } from '../schemas/responses.ts';

export const RecordParams = z.object({
  id: z.uuid({ error: 'must be a record id (UUID)' }).openapi({ param: { name: 'id', in: 'path' }, example: RECORD_ID_EXAMPLE }),
});

/** The record, if it exists (404) and the caller's office may see it (403). */
export async function visibleRecord(deps: RouterDeps, c: Context<RegistryEnv>, id: string): Promise<RegistryRecord> {
  const record = await findRegistryRecord(deps.sql, id);
  if (!record) throw new RegistryError('not-found', `no record ${id}`);
  assertOfficeScope(c.get('principal'), record.office);
  return record;
}
