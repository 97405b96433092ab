/**
 * The auditor's read-only connection against a DBA who would show the auditor's role another
 * ledger than the application's, on a real PostgreSQL: a look-alike schema found first through
 * the role's search_path, and row-level security policies that hide rows from that role only.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../config/env.ts';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { auditOf, behindTheApplication, buildLedger, type TestLedger } from './test-ledger.ts';
import { withPinnedSession } from './read-only.ts';

let env: TestEnvironment | undefined;
const roles: string[] = [];
afterEach(async () => {
  await env?.close();
  env = undefined;
  // Roles are cluster-wide; their schemas and grants went with the test's database.
  const server = postgres(inject('services').databaseUrl, { max: 1, onnotice: () => {} });
  for (const role of roles.splice(0)) await server.unsafe(`drop role if exists ${role}`);
  await server.end();
});

async function freshLedger(): Promise<[TestEnvironment, TestLedger]> {
  env = await useTestEnvironment();
  return [env, await buildLedger(env)];
}

/** A login role in crvs_auditor, as an operator creates one, and the configuration that audits as it. */
async function auditorRole(env: TestEnvironment): Promise<[string, Config]> {
  const role = `crvs_audit_test_${randomBytes(4).toString('hex')}`;
  await env.sql.unsafe(`create role ${role} login in role crvs_auditor`);
  roles.push(role);
  const url = new URL(env.env.DATABASE_URL!);
  url.username = role;
  return [role, loadConfig({ ...env.env, DATABASE_READONLY_URL: url.toString() })];
}

describe('the audit read-only connection', () => {
  it('audits the real ledger even when a schema named like the auditor role holds a clean copy', async () => {
    const [env, ledger] = await freshLedger();
    const [role, config] = await auditorRole(env);
    await env.sql.unsafe(`create schema ${role}`);
    await env.sql.unsafe(`grant usage on schema ${role} to ${role}`);
    await env.sql.unsafe(`create table ${role}.record_versions as select * from public.record_versions`);
    await env.sql.unsafe(`grant select on ${role}.record_versions to ${role}`);
    const target = ledger.births[1]!;
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update public.record_versions set content = jsonb_set(content, '{data,details,child,givenName}', '"Bekzoda"') where id = ${target.id}`,
    );
    const result = await auditOf(env, {}, config);
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'content-changed', versionId: String(target.id) }));
  });

  it('reports row-level security on a ledger table instead of auditing the rows a policy shows', async () => {
    const [env, ledger] = await freshLedger();
    const [, config] = await auditorRole(env);
    const hidden = ledger.births[2]!;
    await env.sql.unsafe(`alter table record_versions enable row level security`);
    await env.sql.unsafe(`create policy auditor_sees_less on record_versions for select to crvs_auditor using (id <> ${hidden.id})`);
    const result = await auditOf(env, {}, config);
    expect(result.ok).toBe(false);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'row-security', message: expect.stringContaining('table record_versions has row-level security enabled and policy auditor_sees_less') })]);
  });

  it('pins search_path and row_security in the session parameters, over any the operator set', () => {
    const url = new URL(withPinnedSession('postgres://inspector@db.example:5432/crvs?search_path=evil&sslmode=require'));
    expect(url.searchParams.getAll('search_path').at(-1)).toBe('pg_catalog, public');
    expect(url.searchParams.get('row_security')).toBe('off');
    expect(url.searchParams.get('sslmode')).toBe('require');
  });
});
