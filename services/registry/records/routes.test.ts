import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birth, freshMarriage, json, registryState, registryTestbed, type Draft, type Testbed } from '../testing.ts';

let t: Testbed;
let registrar: string;
let marriageRegistrar: string;
let auditor: string;
beforeAll(async () => {
  t = await registryTestbed();
  registrar = await t.token('registrar', '1802');
  marriageRegistrar = await t.token('registrar', '2605');
  auditor = await t.token('auditor');
});
afterAll(() => t.close());

async function registerBirth(change?: (b: Draft) => void): Promise<{ id: string; registrationNumber: string; commitment: string }> {
  const res = await t.request('POST', '/v1/births', { token: registrar, body: birth(change) });
  expect(res.status).toBe(201);
  return json(res);
}

const details = (change?: (b: Draft) => void) => {
  const { office: _office, ...rest } = birth(change);
  return rest;
};
const correct = (id: string, body: unknown, token = registrar) => t.request('POST', `/v1/records/${id}/corrections`, { token, body });

describe('GET /v1/records/:id', () => {
  it('shows the current version, its committed content, history and pending anchoring', async () => {
    const created = await registerBirth();
    const res = await t.request('GET', `/v1/records/${created.id}`, { token: registrar });
    const record = await json(res);
    expect(res.status).toBe(200);
    expect(record).toMatchObject({
      id: created.id,
      kind: 'birth',
      registrationNumber: created.registrationNumber,
      office: { code: '1802', name: "Urgut tumani FHDYo bo'limi", region: '1718', regionName: 'Samarqand viloyati' },
      version: 1,
      commitment: created.commitment,
      anchoring: { status: 'pending' },
      correctedAt: null,
    });
    expect(record.data.registration.number).toBe(created.registrationNumber);
    expect(record.history).toEqual([
      { version: 1, commitment: created.commitment, previousCommitment: null, createdAt: expect.any(String), correction: null, anchoring: { status: 'pending' } },
    ]);
  });

  it('answers 404 problem for a record that does not exist', async () => {
    const res = await t.request('GET', '/v1/records/00000000-0000-4000-8000-000000000000', { token: auditor });
    expect(res.status).toBe(404);
    expect((await json(res)).type).toBe('urn:crvs:problem:not-found');
  });

  describe('a record whose rows were changed behind the application’s back (500 integrity-failure, nothing of it shown)', () => {
    /** As someone with direct database access could, around the ledger's append-only triggers. */
    const tamper = (change: (tx: typeof t.env.sql) => Promise<unknown>) =>
      t.env.sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await change(tx as unknown as typeof t.env.sql);
      });
    const refused = async (id: string, fault: RegExp) => {
      const res = await t.request('GET', `/v1/records/${id}`, { token: auditor });
      const problem = await json(res);
      expect(res.status).toBe(500);
      expect(problem).toMatchObject({ type: 'urn:crvs:problem:integrity-failure' });
      expect(problem.faults.join('; ')).toMatch(fault);
      expect(JSON.stringify(problem)).not.toContain('Soxta');
    };

    it('refuses a record whose committed content was edited', async () => {
      const created = await registerBirth();
      await tamper((tx) => tx`update record_versions set content = jsonb_set(content, '{data,details,child,givenName}', '"Soxta"') where record_id = ${created.id}`);
      await refused(created.id, /version 1 no longer matches its commitment/);
    });

    it('refuses a record whose correction was undone in the registry index', async () => {
      const created = await registerBirth();
      const fix = { correctsVersion: 1, reason: 'Given name misspelt', details: details((b) => (b.child.givenName = 'Mohinoz')) };
      expect((await correct(created.id, fix)).status).toBe(201);
      await t.env.sql`update registry_records set current_version = 1, corrected_at = null where record_id = ${created.id}`;
      await refused(created.id, /calls version 1 current, but the ledger's newest is version 2/);
    });

    it('refuses a record given another record’s version', async () => {
      const [victim, other] = [await registerBirth(), await registerBirth()];
      const fix = { correctsVersion: 1, reason: 'Given name misspelt', details: details((b) => (b.child.givenName = 'Soxta')) };
      expect((await correct(other.id, fix)).status).toBe(201);
      await tamper(async (tx) => {
        await tx`delete from registry_people where record_id = ${other.id}`;
        await tx`update record_versions set record_id = ${victim.id} where record_id = ${other.id} and version = 2`;
      });
      await t.env.sql`update registry_records set current_version = 2 where record_id = ${victim.id}`;
      await refused(victim.id, /version 2 is committed as a version of another record/);
    });
  });

  it('answers 400 naming the id when it is not a record id', async () => {
    const res = await t.request('GET', "/v1/records/1'%20OR%20'1'='1", { token: auditor });
    const problem = await json(res);
    expect(res.status).toBe(400);
    expect(problem).toMatchObject({ type: 'urn:crvs:problem:malformed-request', field: 'id' });
  });
});

describe('POST /v1/records/:id/corrections', () => {
  it('appends version 2 naming the commitment of version 1, which stays as it was', async () => {
    const created = await registerBirth();
    const [before] = await t.env.sql`select content, salt, commitment from record_versions where record_id = ${created.id} and version = 1`;
    const res = await correct(created.id, { correctsVersion: 1, reason: 'Given name misspelt; corrected per the hospital certificate', details: details((b) => (b.child.givenName = 'Mohinoz')) });
    const v2 = await json(res);
    expect(res.status, JSON.stringify(v2)).toBe(201);
    expect(v2).toMatchObject({ id: created.id, registrationNumber: created.registrationNumber, version: 2, status: 'pending' });

    const [after] = await t.env.sql`select content, salt, commitment from record_versions where record_id = ${created.id} and version = 1`;
    expect(after).toEqual(before);
    const record = await json(await t.request('GET', `/v1/records/${created.id}`, { token: registrar }));
    expect(record.version).toBe(2);
    expect(record.data.details.child.givenName).toBe('Mohinoz');
    expect(record.data.registration.number).toBe(created.registrationNumber);
    expect(record.history[1]).toMatchObject({
      version: 2,
      previousCommitment: created.commitment,
      correction: { reason: 'Given name misspelt; corrected per the hospital certificate', correctsVersion: 1 },
    });
  });

  it('refuses to correct a record whose registration was edited behind the application’s back, and changes nothing', async () => {
    const created = await registerBirth();
    await t.env.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`; // around the append-only triggers
      await tx`update record_versions set content = jsonb_set(content, '{data,registration,number}', '"1802-2026-999999"') where record_id = ${created.id}`;
    });
    const before = await registryState(t.env);
    const res = await correct(created.id, { correctsVersion: 1, reason: 'Given name misspelt', details: details((b) => (b.child.givenName = 'Mohinoz')) });
    expect(res.status).toBe(500);
    expect((await json(res)).type).toBe('urn:crvs:problem:integrity-failure');
    expect(await registryState(t.env)).toEqual(before);
  });

  it('refuses another correction of a version that is no longer current (409) and changes nothing', async () => {
    const created = await registerBirth();
    const body = { correctsVersion: 1, reason: 'Patronymic corrected per the father passport', details: details((b) => (b.child.patronymic = 'Rustamovna')) };
    expect((await correct(created.id, body)).status).toBe(201);
    const before = await registryState(t.env);
    const res = await correct(created.id, { ...body, details: details((b) => (b.child.patronymic = 'Rustam qizi')) });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ type: 'urn:crvs:problem:conflict', field: 'correctsVersion', currentVersion: 2 });
    expect(await registryState(t.env)).toEqual(before);
  });

  it('answers the same correction sent again with the version it made, applied once', async () => {
    const created = await registerBirth();
    const body = { correctsVersion: 1, reason: 'Patronymic corrected per the father passport', details: details((b) => (b.child.patronymic = 'Rustamovna')) };
    const first = await correct(created.id, body);
    const made = await json(first);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const before = await registryState(t.env);

    const again = await correct(created.id, body);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(made);
    expect(await registryState(t.env)).toEqual(before);
    const [entry] = await t.env.sql`select record_id, status, route from audit_trail order by id desc limit 1`;
    expect(entry).toMatchObject({ record_id: created.id, status: 201, route: '/v1/records/:id/corrections' });
  });

  it('applies two identical corrections sent at once only once', async () => {
    const created = await registerBirth();
    const body = { correctsVersion: 1, reason: 'Given name corrected per the hospital certificate', details: details((b) => (b.child.givenName = 'Mohinoz')) };
    const answers = await Promise.all([correct(created.id, body), correct(created.id, body)]);
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
    expect(answers.map((r) => r.headers.get('idempotent-replayed')).sort()).toEqual(['true', null].sort());
    const versions = await t.env.sql`select version from record_versions where record_id = ${created.id} order by version`;
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('checks corrected details by the rules of a new registration', async () => {
    const created = await registerBirth();
    const res = await correct(created.id, { correctsVersion: 1, reason: 'Mother date of birth corrected', details: details((b) => (b.mother.dateOfBirth = '2026-01-01')) });
    const problem = await json(res);
    expect(res.status).toBe(422);
    expect(problem.errors).toContainEqual({ field: 'details.child.dateOfBirth', reason: expect.stringMatching(/mother/) });
  });

  it('refuses marriage details for a birth record', async () => {
    const created = await registerBirth();
    const { office: _office, ...marriage } = freshMarriage(900);
    const res = await correct(created.id, { correctsVersion: 1, reason: 'Wrong kind of details sent here', details: marriage });
    expect(res.status).toBe(422);
    expect((await json(res)).field).toMatch(/^details\./);
  });

  it('refuses a correction without a reason', async () => {
    const created = await registerBirth();
    const res = await correct(created.id, { correctsVersion: 1, details: details() });
    expect(res.status).toBe(422);
    expect(await json(res)).toMatchObject({ field: 'reason', errors: [{ field: 'reason', reason: 'required' }] });
  });

  it('lets a marriage be corrected without counting the marriage itself as a current one', async () => {
    const res = await t.request('POST', '/v1/marriages', { token: marriageRegistrar, body: freshMarriage(901) });
    const created = await json(res);
    const { office: _office, ...corrected } = freshMarriage(901, (m) => (m.spouses[1].familyNameAfterMarriage = 'Yusupova'));
    const fixed = await correct(created.id, { correctsVersion: 1, reason: 'Bride keeps her own surname, as declared', details: corrected }, marriageRegistrar);
    expect(fixed.status, JSON.stringify(await json(fixed.clone()))).toBe(201);
  });

  it('refuses a marriage correction that names a spouse married elsewhere here', async () => {
    const other = await json(await t.request('POST', '/v1/marriages', { token: marriageRegistrar, body: freshMarriage(902) }));
    const mine = await json(await t.request('POST', '/v1/marriages', { token: marriageRegistrar, body: freshMarriage(903) }));
    expect(other.id).toBeDefined();
    const { office: _office, ...corrected } = freshMarriage(903, (m) => (m.spouses[1].pinfl = freshMarriage(902).spouses[1].pinfl));
    const res = await correct(mine.id, { correctsVersion: 1, reason: 'Spouse PINFL corrected per passport', details: corrected }, marriageRegistrar);
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toContainEqual({ field: 'details.spouses.1', reason: expect.stringMatching(/current marriage/) });
  });
});

describe('GET /v1/records/:id/evidence', () => {
  it('answers 202 with Retry-After while the version waits for its batch', async () => {
    const created = await registerBirth();
    const res = await t.request('GET', `/v1/records/${created.id}/evidence`, { token: auditor });
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await json(res)).toMatchObject({ status: 'pending', retryAfterSeconds: 5 });
  });

  it('answers 404 for a version the record does not have', async () => {
    const created = await registerBirth();
    expect((await t.request('GET', `/v1/records/${created.id}/evidence?version=7`, { token: auditor })).status).toBe(404);
  });
});
