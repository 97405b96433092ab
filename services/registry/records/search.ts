/**
 * @module
 * `GET /v1/records?name=&dateOfBirth=&registrationNumber=&office=&kind=&limit=&cursor=`: search,
 * newest first, by keyset pagination (a cursor, not page numbers: records registered meanwhile do
 * not shift pages). A registrar searches their own office only; name and date of birth must match
 * the same person of a record (child, mother, father, or a spouse).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { RegistryError } from '../../errors.ts';
import { assertOfficeScope } from '../../access/roles.ts';
import { searchKey } from '../../names/search-key.ts';
import { newRouter, type RouterDeps } from '../context.ts';
import { requirePermission } from '../http/guard.ts';
import { OfficeCode } from '../schemas/common.ts';
import { RecordId, RegistrationNumber, problems } from '../schemas/responses.ts';
import type { RegistrationKind } from './store.ts';

export const MAX_PAGE_SIZE = 100;

const SearchQuery = z.strictObject({
  name: z
    .string()
    .trim()
    .min(2, 'must be at least 2 characters')
    .max(100)
    .regex(/^[\p{L}\p{M}'ʻʼ‘’` -]+$/u, 'must be letters, spaces, hyphens and apostrophes only')
    .optional()
    .openapi({
      description: 'Part of a family, given or patronymic name; every word must match. Latin and Cyrillic spellings find each other (`Jo‘rayev`, `Жўраев`).',
      example: 'Karimova Mohinur',
    }),
  dateOfBirth: z.iso.date({ error: 'must be a date written YYYY-MM-DD' }).optional().openapi({ example: '2025-10-03' }),
  registrationNumber: RegistrationNumber.optional(),
  office: OfficeCode.optional(),
  kind: z.enum(['birth', 'marriage']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`).default(20),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a nextCursor from a previous page').optional(),
});

const PersonSummary = z.object({
  role: z.string(),
  familyName: z.string(),
  givenName: z.string(),
  patronymic: z.string().optional(),
  dateOfBirth: z.string(),
});

const SearchResult = z
  .object({
    items: z.array(
      z.object({
        id: RecordId,
        kind: z.enum(['birth', 'marriage']),
        registrationNumber: RegistrationNumber,
        office: z.string(),
        registeredAt: z.string(),
        version: z.number().int(),
        people: z.array(PersonSummary),
      }),
    ),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .openapi('SearchResult');

const search = createRoute({
  method: 'get',
  path: '/v1/records',
  tags: ['Records'],
  summary: 'Search records',
  security: [{ bearer: [] }],
  middleware: [requirePermission('records.read')] as const,
  request: { query: SearchQuery },
  responses: {
    200: { description: 'A page of matching records, newest first.', content: { 'application/json': { schema: SearchResult } } },
    ...problems('malformed-request', 'unauthenticated', 'forbidden'),
  },
});

const encodeCursor = (seq: bigint) => Buffer.from(String(seq)).toString('base64url');
function decodeCursor(cursor: string): string {
  const seq = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,18}$/.test(seq)) throw new RegistryError('malformed-request', 'cursor: must be a nextCursor from a previous page', { field: 'cursor' });
  return seq;
}

type Person = { familyName: string; givenName: string; patronymic?: string; dateOfBirth: string };

function peopleOf(kind: RegistrationKind, details: Record<string, unknown>) {
  const pick = (role: string, p: Person | undefined) =>
    p ? [{ role, familyName: p.familyName, givenName: p.givenName, ...(p.patronymic ? { patronymic: p.patronymic } : {}), dateOfBirth: p.dateOfBirth }] : [];
  if (kind === 'marriage') return ((details.spouses as Person[]) ?? []).flatMap((s, i) => pick(`spouse${i + 1}`, s));
  return [...pick('child', details.child as Person), ...pick('mother', details.mother as Person), ...pick('father', details.father as Person | undefined)];
}

export function searchRoutes(deps: RouterDeps) {
  const app = newRouter();
  app.openapi(search, async (c) => {
    const q = c.req.valid('query');
    const principal = c.get('principal');
    if (q.office) assertOfficeScope(principal, q.office);
    const office = principal.role === 'registrar' ? principal.office : (q.office ?? null);
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const sql = deps.sql;
    // Words of the name, each matched anywhere in a person's search name: both folded to the one
    // Latin search key, so a Latin query finds a Cyrillic name and the other way round. The query
    // schema admits no LIKE wildcards; they are escaped all the same.
    const words = q.name ? searchKey(q.name).split(' ').filter(Boolean).map((w) => `%${w.replace(/[\\%_]/g, '\\$&')}%`) : [];
    // Apostrophes and hyphens alone fold to nothing: a name with no letters would find everyone.
    if (q.name && words.length === 0) throw new RegistryError('malformed-request', 'name: must have at least one letter', { field: 'name' });
    const person =
      words.length || q.dateOfBirth
        ? sql`exists (select 1 from registry_people p where p.record_id = r.record_id
              ${q.dateOfBirth ? sql`and p.date_of_birth = ${q.dateOfBirth}` : sql``}
              ${words.length ? sql`and p.search_name like all(${sql.array(words)}::text[])` : sql``})`
        : sql`true`;
    const rows = await sql<{ record_id: string; seq: bigint; kind: RegistrationKind; office_code: string; registration_number: string; registered_at: Date; current_version: number; details: Record<string, unknown> }[]>`
      select r.record_id, r.seq, r.kind, r.office_code, r.registration_number, r.registered_at, r.current_version,
             v.content -> 'data' -> 'details' as details
      from registry_records r
      join record_versions v on v.record_id = r.record_id and v.version = r.current_version
      where ${office ? sql`r.office_code = ${office}` : sql`true`}
        and ${q.kind ? sql`r.kind = ${q.kind}` : sql`true`}
        and ${q.registrationNumber ? sql`r.registration_number = ${q.registrationNumber}` : sql`true`}
        and ${after ? sql`r.seq < ${after}` : sql`true`}
        and ${person}
      order by r.seq desc
      limit ${q.limit + 1}`;
    const page = rows.slice(0, q.limit);
    return c.json(
      {
        items: page.map((r) => ({
          id: r.record_id,
          kind: r.kind,
          registrationNumber: r.registration_number,
          office: r.office_code,
          registeredAt: r.registered_at.toISOString(),
          version: r.current_version,
          people: peopleOf(r.kind, r.details),
        })),
        nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.seq) : null,
      },
      200,
    );
  });
  return app;
}
