/**
 * `crvs audit` as an auditor runs it: the real CLI in a child process, against a real ledger
 * (PostgreSQL, the object store and a freshly deployed contract on Anvil) that tests tamper with
 * behind the application's back. The engine's findings in detail are in services/audit/engine.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { putObject } from '../../services/objectstore/client.ts';
import { deployTestContract, useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { behindTheApplication, buildLedger, crvs, type TestLedger } from '../../services/audit/test-ledger.ts';

let env: TestEnvironment | undefined;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await env?.close();
  env = undefined;
});

async function freshLedger(): Promise<[TestEnvironment, TestLedger]> {
  env = await useTestEnvironment();
  return [env, await buildLedger(env)];
}

describe('crvs audit', () => {
  it('exits 0 and says INTACT for an untouched ledger', async () => {
    const [env] = await freshLedger();
    const { code, stdout, stderr } = await crvs(env, ['audit', '--fixity']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/record versions\s+7 /);
    expect(stdout).toMatch(/INTACT/);
    expect(code).toBe(0);
  });

  it('exits 1 and names the record, batch and kind of failure as JSON', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.births[0]!;
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update record_versions set content = jsonb_set(content, '{data,office}', '"Buxoro FHDYO"') where id = ${target.id}`,
    );
    const { code, stdout } = await crvs(env, ['audit', '--json']);
    const result = JSON.parse(stdout);
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'content-changed', recordId: target.recordId, versionId: String(target.id), batchId: 1, position: 0 }));
    expect(result.counts).toMatchObject({ 'content-changed': 1, 'root-mismatch': 1 });
    expect(code).toBe(1);
  });

  it('exits 1 on a swapped scan only when asked to check fixity', async () => {
    const [env, ledger] = await freshLedger();
    const [original] = ledger.archive[1]!.content.data.objects as { key: string }[];
    await putObject(env.store, original!.key, Buffer.from('another scan'));
    expect((await crvs(env, ['audit'])).code).toBe(0);
    const { code, stdout } = await crvs(env, ['audit', '--json', '--sample', '10']);
    expect(JSON.parse(stdout).findings).toEqual([expect.objectContaining({ kind: 'object-changed', objectKey: original!.key })]);
    expect(code).toBe(1);
  });

  it('writes a self-contained HTML report of the findings', async () => {
    const [env, ledger] = await freshLedger();
    await behindTheApplication(env.sql, ['batch_leaves'], (sql) => sql`delete from batch_leaves where version_id = ${ledger.archive[1]!.id}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'crvs-audit-report-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'audit.html');
    const { code, stdout } = await crvs(env, ['audit', '--report', file]);
    expect(code).toBe(1);
    expect(stdout).toContain(`report written to ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain(`<td>record-not-in-batch</td><td></td><td></td><td>${ledger.archive[1]!.id}</td>`);
    expect(html).not.toMatch(/\b(src|href)=|<script|@import|url\(/i);
  });

  it('audits through DATABASE_READONLY_URL as a member of the crvs_auditor role', async () => {
    const [env] = await freshLedger();
    const role = `crvs_audit_test_${randomBytes(4).toString('hex')}`;
    await env.sql.unsafe(`create role ${role} login in role crvs_auditor`);
    cleanups.push(() => env.sql.unsafe(`drop role if exists ${role}`));
    const url = new URL(env.env.DATABASE_URL!);
    url.username = role;
    const { code, stdout } = await crvs(env, ['audit', '--json'], { DATABASE_READONLY_URL: url.toString() });
    expect(JSON.parse(stdout).summary.leavesVerified).toBe(7);
    expect(code).toBe(0);
  });

  it('gives the crvs_auditor role reading of the ledger and nothing more', async () => {
    const [env] = await freshLedger();
    const role = `crvs_audit_test_${randomBytes(4).toString('hex')}`;
    await env.sql.unsafe(`create role ${role} login in role crvs_auditor`);
    const url = new URL(env.env.DATABASE_URL!);
    url.username = role;
    const auditor = postgres(url.toString(), { max: 1, onnotice: () => {} });
    cleanups.push(() => env.sql.unsafe(`drop role if exists ${role}`));
    cleanups.push(() => auditor.end());
    expect((await auditor`select count(*)::int as n from batch_leaves`)[0]!.n).toBe(7);
    await expect(auditor`insert into ledger_pending (version_id) values (1)`).rejects.toThrow(/permission denied/);
    await expect(auditor`delete from ledger_pending`).rejects.toThrow(/permission denied/);
  });

  it('checks against the contract the auditor names, not the one the configuration names', async () => {
    const [env] = await freshLedger();
    const lookAlike = await deployTestContract(env.env.CHAIN_RPC_URL!);
    const { code, stdout } = await crvs(env, ['audit', '--json', '--contract', lookAlike.contractAddress]);
    const result = JSON.parse(stdout);
    expect(result.chain.contractAddress).toBe(lookAlike.contractAddress);
    expect(result.findings.map((f: { kind: string; batchId: number }) => [f.kind, f.batchId])).toEqual([
      ['batch-unknown-to-chain', 1],
      ['batch-unknown-to-chain', 2],
      ['batch-unknown-to-chain', 3],
    ]);
    expect(code).toBe(1);
  });

  it('exits 2 with a one-line reason when the chain cannot be reached', async () => {
    const [env] = await freshLedger();
    const { code, stderr } = await crvs(env, ['audit'], { CHAIN_RPC_URL: 'http://127.0.0.1:1' });
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^crvs: chain is unreachable/);
    expect(code).toBe(2);
  });

  it('exits 2 on a --max-pending-age that is not a duration', async () => {
    const [env] = await freshLedger();
    const { code, stderr } = await crvs(env, ['audit', '--max-pending-age', 'soon']);
    expect(stderr).toMatch(/--max-pending-age: "soon" is not a duration/);
    expect(code).toBe(2);
  });

  it('exits 2 with a one-line reason, before auditing, when the report cannot be written', async () => {
    const [env] = await freshLedger();
    const { code, stdout, stderr } = await crvs(env, ['audit', '--report', '/nonexistent/dir/r.html']);
    expect(stderr).toBe('crvs: --report: cannot write /nonexistent/dir/r.html: directory /nonexistent/dir does not exist\n');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('says in the INTACT headline what it did not check: stored scans, the people index', async () => {
    const [env] = await freshLedger();
    const { code, stdout } = await crvs(env, ['audit']);
    expect(stdout).toMatch(/^INTACT: nothing altered, removed or slipped in \(stored scans NOT checked: --fixity; people index NOT checked: --people\)$/m);
    expect(code).toBe(0);
  });

  it('checks the people index with --people: a PINFL changed behind the application is exit 1, naming the registration', async () => {
    const [env, ledger] = await freshLedger();
    await env.sql`update registry_people set pinfl = '31111111111111' where record_id = ${ledger.births[2]!.recordId} and role = 'father'`;
    const { code, stdout } = await crvs(env, ['audit', '--people']);
    expect(stdout).toMatch(/registry-index-changed: .*differs from its committed version in father \(PINFL\).*registration 2601-2024-0000003/);
    expect(code).toBe(1);
  });

  it('exits 1 and names the registration when the registry index undid a correction', async () => {
    const [env, ledger] = await freshLedger();
    await env.sql`update registry_records set current_version = 1, corrected_at = null where record_id = ${ledger.births[0]!.recordId}`;
    const { code, stdout } = await crvs(env, ['audit']);
    expect(stdout).toMatch(/current-version-mismatch: .*shows version 1 as current, but the ledger's newest version is 2.*registration 2601-2024-0000001/);
    expect(code).toBe(1);
  });
});
