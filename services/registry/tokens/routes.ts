/**
 * @module
 * Token administration over the API, for the `admin` role (the `crvs token` commands do the same
 * from a shell): `GET /v1/tokens`, `POST /v1/tokens` (the token is in this answer and nowhere
 * else, ever), `POST /v1/tokens/:id/revoke`. Auditors may list tokens.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../../access/roles.ts';
import { createToken, listTokens, revokeToken, type TokenRecord } from '../../access/tokens.ts';
import { newRouter, type RouterDeps } from '../context.ts';
import { requirePermission } from '../http/guard.ts';
import { OfficeCode } from '../schemas/common.ts';
import { created, problems } from '../schemas/responses.ts';

const TokenView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(ROLES),
    office: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Token');

const NewTokenRequest = z
  .strictObject({
    name: z.string().openapi({ example: 'Urgut registrar Dilfuza Rahimova' }),
    role: z.enum(ROLES).openapi({ example: 'registrar' }),
    office: OfficeCode.optional(),
  })
  .openapi('NewToken', { example: { name: 'Urgut registrar Dilfuza Rahimova', role: 'registrar', office: '1802' } });

const view = (t: TokenRecord) => ({ ...t, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null });

const list = createRoute({
  method: 'get',
  path: '/v1/tokens',
  tags: ['Tokens'],
  summary: 'List tokens',
  security: [{ bearer: [] }],
  middleware: [requirePermission('tokens.read')] as const,
  request: { query: z.strictObject({ includeRevoked: z.enum(['true', 'false']).optional() }) },
  responses: {
    200: { description: 'Tokens (never their secret).', content: { 'application/json': { schema: z.object({ items: z.array(TokenView) }) } } },
    ...problems('malformed-request', 'unauthenticated', 'forbidden'),
  },
});

const create = createRoute({
  method: 'post',
  path: '/v1/tokens',
  tags: ['Tokens'],
  summary: 'Create a token',
  description: 'The answer carries the token; only its SHA-256 is stored, so it cannot be shown again.',
  security: [{ bearer: [] }],
  middleware: [requirePermission('tokens.manage')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewTokenRequest } } } },
  responses: {
    201: created(TokenView.extend({ token: z.string().openapi({ example: 'crvs_Vd0...' }) }).openapi('CreatedToken'), 'Created.'),
    ...problems('malformed-request', 'unauthenticated', 'forbidden', 'conflict', 'payload-too-large', 'unsupported-media-type', 'validation-failed'),
  },
});

const revoke = createRoute({
  method: 'post',
  path: '/v1/tokens/{id}/revoke',
  tags: ['Tokens'],
  summary: 'Revoke a token',
  security: [{ bearer: [] }],
  middleware: [requirePermission('tokens.manage')] as const,
  request: { params: z.object({ id: z.uuid({ error: 'must be a token id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: { description: 'Revoked: the token no longer authenticates.', content: { 'application/json': { schema: TokenView } } },
    ...problems('malformed-request', 'unauthenticated', 'forbidden', 'not-found'),
  },
});

export function tokenRoutes(deps: RouterDeps) {
  const app = newRouter();
  app.openapi(list, async (c) => {
    const tokens = await listTokens(deps.sql, { includeRevoked: c.req.valid('query').includeRevoked === 'true' });
    return c.json({ items: tokens.map(view) }, 200);
  });
  app.openapi(create, async (c) => {
    const { token, record } = await createToken(deps.sql, c.req.valid('json'));
    return c.json({ ...view(record), token }, 201);
  });
  app.openapi(revoke, async (c) => {
    const revoked = await revokeToken(deps.sql, { id: c.req.valid('param').id });
    deps.authenticate.forget(revoked.id);
    return c.json(view(revoked), 200);
  });
  return app;
}
