/**
 * `crvs verify record ID` as an auditor runs it: the real CLI in a child process, reading the
 * record's versions straight from PostgreSQL and checking them against the contract on Anvil.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commit, fromHex } from '../../services/ledger/core.ts';
import { appendRecordVersion } from '../../services/ledger/record-versions.ts';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { behindTheApplication, buildLedger, crvs, registrationNumberOf, type TestLedger } from '../../services/audit/test-ledger.ts';

let env: TestEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function freshLedger(): Promise<[TestEnvironment, TestLedger]> {
  env = await useTestEnvironment();
  return [env, await buildLedger(env)];
}

describe('crvs verify record', () => {
  it('exits 0 after proving every version of a corrected record against the chain', async () => {
    const [env, ledger] = await freshLedger();
    const { code, stdout } = await crvs(env, ['verify', 'record', ledger.births[0]!.recordId, '--json']);
    const result = JSON.parse(stdout);
    expect(result.versions.map((v: { version: number; status: string; batchId: number }) => [v.version, v.status, v.batchId])).toEqual([
      [1, 'verified', 1],
      [2, 'verified', 2],
    ]);
    expect(code).toBe(0);
  });

  it('explains each step from the canonical JSON through every proof level to the anchored root', async () => {
    const [env, ledger] = await freshLedger();
    const { stdout } = await crvs(env, ['verify', 'record', ledger.births[1]!.recordId, '--explain']);
    const steps = [...stdout.matchAll(/^ {4}✓ (\S+)/gm)].map((m) => m[1]);
    expect(steps).toEqual(['canonical', 'identity', 'commitment', 'leaf', 'proof[0]', 'proof[1]', 'anchored-root', 'contract-verify']);
    expect(stdout).toContain(ledger.births[1]!.commitment);
    expect(stdout).toContain(ledger.births[1]!.leaf);
    expect(stdout).toContain(ledger.batches[0]!.root);
  });

  it('exits 1 and shows where a version changed behind the application stops agreeing', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.births[2]!;
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update record_versions set content = jsonb_set(content, '{data,details,child,dateOfBirth}', '"2023-12-31"') where id = ${target.id}`,
    );
    const { code, stdout } = await crvs(env, ['verify', 'record', target.recordId, '--json']);
    const [version] = JSON.parse(stdout).versions;
    expect(version.status).toBe('failed');
    expect(version.steps.filter((s: { status: string }) => s.status === 'failed').map((s: { step: string }) => s.step)).toEqual([
      'commitment',
      'leaf',
      'anchored-root',
      'contract-verify',
    ]);
    expect(code).toBe(1);
  });

  it('fails a rewritten version at the anchor even when its stored commitment and leaf were recomputed', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.births[3]!;
    const forged = commit({ ...target.content, data: { child: { givenName: 'Jahongira' } } }, target.salt);
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update record_versions set content = ${sql.json(JSON.parse(forged.canonical))}, commitment = ${fromHex(forged.commitment)}, leaf = ${fromHex(forged.leaf)}
          where id = ${target.id}`,
    );
    const { code, stdout } = await crvs(env, ['verify', 'record', target.recordId, '--json']);
    expect(JSON.parse(stdout).versions[0].reason).toMatch(/^anchored-root: /);
    expect(code).toBe(1);
  });

  it('exits 0 for a version still waiting for anchoring and says so', async () => {
    const [env] = await freshLedger();
    const fresh = await appendRecordVersion(env.sql, { kind: 'marriage', data: { spouses: ['Ulugbek', 'Malika'] } });
    const { code, stdout } = await crvs(env, ['verify', 'record', fresh.recordId]);
    expect(stdout).toMatch(/version 1 \(marriage, id \d+\): pending: waiting for its batch/);
    expect(code).toBe(0);
  });

  it('exits 2 for a record the database does not hold', async () => {
    const [env] = await freshLedger();
    const { code, stderr } = await crvs(env, ['verify', 'record', crypto.randomUUID()]);
    expect(stderr).toMatch(/^crvs: no record [0-9a-f-]+ in the database\n$/);
    expect(code).toBe(2);
  });

  it('says which version the registry shows as current, under which registration number', async () => {
    const [env, ledger] = await freshLedger();
    const { code, stdout } = await crvs(env, ['verify', 'record', ledger.births[0]!.recordId]);
    expect(stdout).toContain(`current version: 2 (registry index, registration ${registrationNumberOf(0)})`);
    expect(code).toBe(0);
  });

  it('exits 1 for a version whose kind or link to the version before was edited in its row, as crvs audit does', async () => {
    const [env, ledger] = await freshLedger();
    const [renamed, unlinked] = [ledger.births[1]!, ledger.births[0]!];
    await behindTheApplication(env.sql, ['record_versions'], async (sql) => {
      await sql`update record_versions set kind = 'marriage' where id = ${renamed.id}`;
      // Another stored version's commitment: the column must still name one (a foreign key).
      await sql`update record_versions set previous_commitment = (select commitment from record_versions where id = ${ledger.births[2]!.id}) where record_id = ${unlinked.recordId} and version = 2`;
    });
    const failedStep = async (recordId: string) => {
      const { code, stdout } = await crvs(env, ['verify', 'record', recordId, '--json']);
      expect(code).toBe(1);
      return JSON.parse(stdout).versions.flatMap((v: { steps: { step: string; status: string }[] }) => v.steps.filter((s) => s.status === 'failed').map((s) => s.step));
    };
    expect(await failedStep(renamed.recordId)).toContain('identity');
    expect(await failedStep(unlinked.recordId)).toContain('previous');
  });

  it('exits 1 when the registry index shows an older version than the ledger holds', async () => {
    const [env, ledger] = await freshLedger();
    await env.sql`update registry_records set current_version = 1, corrected_at = null where record_id = ${ledger.births[0]!.recordId}`;
    const { code, stdout } = await crvs(env, ['verify', 'record', ledger.births[0]!.recordId]);
    expect(stdout).toMatch(/^record \S+: FAILED/);
    expect(stdout).toContain('current version: 1 (registry index');
    expect(stdout).toMatch(/current-version-mismatch: .*newest version is 2/);
    expect(code).toBe(1);
  });

  it('exits 1 for a record the audit trail knows whose versions are gone from the ledger', async () => {
    const [env, ledger] = await freshLedger();
    const gone = ledger.births[3]!;
    await behindTheApplication(env.sql, ['record_versions', 'batch_leaves'], async (sql) => {
      await sql`delete from registry_people where record_id = ${gone.recordId}`;
      await sql`delete from registry_records where record_id = ${gone.recordId}`;
      await sql`delete from batch_leaves where version_id = ${gone.id}`;
      await sql`delete from record_versions where id = ${gone.id}`;
    });
    const { code, stdout, stderr } = await crvs(env, ['verify', 'record', gone.recordId]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/ledger-record-missing: record \S+ was written 1 time according to the audit trail/);
    expect(code).toBe(1);
  });

  it('counts one version as "1 version"', async () => {
    const [env, ledger] = await freshLedger();
    const { stdout } = await crvs(env, ['verify', 'record', ledger.births[1]!.recordId]);
    expect(stdout).toMatch(/^record \S+: INTACT \(1 version: 1 verified;/);
  });
});
