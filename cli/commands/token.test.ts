import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { authenticate, hashToken } from '../../services/access/tokens.ts';
import { readAuditTrail } from '../../services/audit-trail/trail.ts';

const run = promisify(execFile);
const node = path.resolve('node_modules/.bin/node');

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

async function crvs(...args: string[]) {
  try {
    const { stdout, stderr } = await run(node, ['cli/crvs.mjs', 'token', ...args], { env: { ...process.env, ...env.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('crvs token', () => {
  it('creates a registrar token, prints it once, and stores only its SHA-256', async () => {
    const { code, stdout } = await crvs('create', '--role', 'registrar', '--office', '1802', '--name', 'Urgut registrar Dilfuza Rahimova');
    expect(code).toBe(0);
    const token = stdout.trim().split('\n').pop()!;
    expect(token).toMatch(/^crvs_[A-Za-z0-9_-]{43}$/);
    expect(stdout).toMatch(/cannot be shown again/);
    const rows = await env.sql`select token_hash from access_tokens where name = 'Urgut registrar Dilfuza Rahimova'`;
    expect(rows).toEqual([{ token_hash: hashToken(token) }]);
    const dump = JSON.stringify(await env.sql`select * from access_tokens`);
    expect(dump).not.toContain(token.slice(5));
    expect(await authenticate(env.sql, token)).toMatchObject({ role: 'registrar', office: '1802', name: 'Urgut registrar Dilfuza Rahimova' });
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await crvs('create', '--role', 'auditor', '--name', 'State audit chamber', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ role: 'auditor', office: null, token: expect.stringMatching(/^crvs_/), revokedAt: null });
  });

  it('refuses a registrar without an office, an unknown office and an unknown role (exit 2)', async () => {
    expect(await crvs('create', '--role', 'registrar', '--name', 'No office')).toMatchObject({ code: 2, stderr: expect.stringMatching(/office/) });
    expect(await crvs('create', '--role', 'registrar', '--office', '9999', '--name', 'Nowhere')).toMatchObject({ code: 2, stderr: expect.stringMatching(/9999/) });
    expect(await crvs('create', '--role', 'superuser', '--name', 'Root')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--role/) });
  });

  it('refuses a second active token of the same name', async () => {
    expect((await crvs('create', '--role', 'archivist', '--name', 'Archive desk')).code).toBe(0);
    expect(await crvs('create', '--role', 'archivist', '--name', 'Archive desk')).toMatchObject({ code: 2, stderr: expect.stringMatching(/already named/) });
  });

  it('revokes by name, after which the token no longer authenticates', async () => {
    const created = JSON.parse((await crvs('create', '--role', 'archivist', '--name', 'Night shift', '--json')).stdout);
    const { code, stdout } = await crvs('revoke', '--name', 'Night shift');
    expect(code).toBe(0);
    expect(stdout).toMatch(/revoked token Night shift/);
    expect(await authenticate(env.sql, created.token)).toBeUndefined();
    expect((await crvs('revoke', '--name', 'Night shift')).code).toBe(2);
  });

  it('revokes by id', async () => {
    const created = JSON.parse((await crvs('create', '--role', 'admin', '--name', 'Temporary admin', '--json')).stdout);
    expect((await crvs('revoke', created.id)).code).toBe(0);
    expect(await authenticate(env.sql, created.token)).toBeUndefined();
  });

  it('lists tokens without their secrets, revoked ones with --all', async () => {
    const active = JSON.parse((await crvs('list', '--json')).stdout);
    const all = JSON.parse((await crvs('list', '--all', '--json')).stdout);
    expect(active.every((t: { revokedAt: unknown }) => t.revokedAt === null)).toBe(true);
    expect(all.length).toBeGreaterThan(active.length);
    expect(JSON.stringify(all)).not.toMatch(/crvs_/);
  });

  it('writes every change to the audit trail with the operator and host', async () => {
    const trail = await readAuditTrail(env.sql, { limit: 50 });
    expect(trail.filter((e) => e.route === 'crvs token create').length).toBeGreaterThanOrEqual(4);
    expect(trail.find((e) => e.route === 'crvs token revoke')).toMatchObject({ method: 'CLI', status: 200, actorName: expect.any(String), clientAddress: expect.any(String) });
  });
});
