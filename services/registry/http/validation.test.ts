/**
 * Request validation as the routes get it from @hono/zod-openapi, with
 * patches/@hono+zod-validator+0.9.1.patch: bodies are parsed synchronously first (zod's compiled
 * fast path), and a schema with asynchronous work is still parsed, asynchronously.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';

const app = (schema: z.ZodType) =>
  new OpenAPIHono().openapi(
    createRoute({
      method: 'post',
      path: '/',
      request: { body: { required: true, content: { 'application/json': { schema } } } },
      responses: { 200: { description: 'ok' } },
    }),
    (c) => c.json({ got: c.req.valid('json') }, 200),
  );
const post = (a: OpenAPIHono, body: unknown) => a.request('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('request body validation', () => {
  const name = z.strictObject({ name: z.string().trim().min(1) });

  it('answers the parsed body of a valid request', async () => {
    const res = await post(app(name), { name: ' Dilnoza ' });
    expect(await res.json()).toEqual({ got: { name: 'Dilnoza' } });
  });

  it('refuses an invalid body', async () => {
    expect((await post(app(name), { name: '', extra: 1 })).status).toBe(400);
  });

  it('still validates a schema whose checks are asynchronous, every time', async () => {
    const known = z.strictObject({ office: z.string().refine(async (code) => code === '1802', 'unknown office') });
    const a = app(known);
    for (let i = 0; i < 2; i++) {
      expect(await (await post(a, { office: '1802' })).json()).toEqual({ got: { office: '1802' } });
      expect((await post(a, { office: '9999' })).status).toBe(400);
    }
  });
});
