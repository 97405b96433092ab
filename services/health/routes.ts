/**
 * @module
 * Liveness and readiness.
 *
 * `GET /healthz` answers 200 while the process runs. `GET /readyz` answers 200 only when the
 * database, the object store and the chain all answer, and 503 naming each one that does not, so a
 * load balancer stops sending work and an operator sees which dependency is down.
 */
import { Hono } from 'hono';
import { problemType } from '../http/problem.ts';

export type ReadinessCheck = () => Promise<void>;

export interface HealthOptions {
  checks: Record<string, ReadinessCheck>;
  /** How long one check may take before it counts as down. */
  timeoutMs?: number;
}

export const healthRoutes = (options: HealthOptions): Hono => {
  const app = new Hono();
  const timeoutMs = options.timeoutMs ?? 3_000;

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const entries = await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
    );
    const services = Object.fromEntries(entries);
    const down = entries.filter(([, r]) => r.status !== 'up').map(([name]) => name);
    if (down.length === 0) return c.json({ status: 'ready', services });
    return c.json(
      {
        type: problemType('service-unavailable'),
        title: 'Service unavailable',
        status: 503,
        detail: `not ready: ${down.join(', ')} unreachable`,
        unavailable: down,
        services,
      },
      503,
      { 'content-type': 'application/problem+json' },
    );
  });

  return app;
};

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<{ status: 'up' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
