/**
 * The one mapping from errors to RFC 9457 answers, for the errors that come from below the
 * routes rather than from a route's own checks.
 */
import { Hono } from 'hono';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.ts';
import { createApp } from './app.ts';

const appThrowing = (error: unknown) =>
  createApp({
    logger: createLogger('silent'),
    readiness: {},
    routers: [
      new Hono().post('/v1/things', () => {
        throw error;
      }),
    ],
  });

describe('errors from below the routes', () => {
  it('answers a database that cannot be reached 503 service-unavailable, and tells the client to look before sending again', async () => {
    const unreachable = postgres('postgres://crvs@127.0.0.1:1/crvs', { max: 1, connect_timeout: 2, onnotice: () => {} });
    const error = await unreachable`select 1`.catch((e: unknown) => e);
    await unreachable.end({ timeout: 1 });

    const res = await appThrowing(error).request('/v1/things', { method: 'POST' });
    const problem = (await res.json()) as { type: string; detail: string };
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem).toMatchObject({ type: 'urn:crvs:problem:service-unavailable', service: 'database' });
    expect(problem.detail).toMatch(/send it again as it was \(with the same Idempotency-Key\), or look it up first/);
  });

  it('answers anything else 500 without its message', async () => {
    const res = await appThrowing(new Error('secret internals')).request('/v1/things', { method: 'POST' });
    const problem = (await res.json()) as { type: string; detail: string };
    expect(res.status).toBe(500);
    expect(problem.type).toBe('urn:crvs:problem:internal');
    expect(JSON.stringify(problem)).not.toContain('secret internals');
  });
});
