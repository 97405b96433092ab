import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birth, json, registryState, registryTestbed, type Testbed } from '../testing.ts';
import { todayInTashkent } from '../dates.ts';

let t: Testbed;
let registrar: string;
beforeAll(async () => {
  t = await registryTestbed();
  registrar = await t.token('registrar', '1802');
});
afterAll(() => t.close());

const post = (body: unknown) => t.request('POST', '/v1/births', { token: registrar, body });

async function refused(body: unknown, field: string, reason: RegExp) {
  const before = await registryState(t.env);
  const res = await post(body);
  const problem = await json(res);
  expect(res.status, JSON.stringify(problem)).toBe(422);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(problem.type).toBe('urn:crvs:problem:validation-failed');
  expect(problem.errors).toContainEqual({ field, reason: expect.stringMatching(reason) });
  expect(await registryState(t.env)).toEqual(before);
  return problem;
}

describe('POST /v1/births', () => {
  it('registers the example birth and answers with its number, version, commitment and pending status', async () => {
    const res = await post(birth());
    expect(res.status).toBe(201);
    const body = await json(res);
    const year = todayInTashkent().slice(0, 4);
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      registrationNumber: expect.stringMatching(new RegExp(`^1802-${year}-\\d{6}$`)),
      version: 1,
      commitment: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      status: 'pending',
    });
    expect(res.headers.get('location')).toBe(`/v1/records/${body.id}`);
  });

  it('gives births registered one after the other time-ordered record ids (UUIDv7), in the order issued', async () => {
    const sent = Date.now();
    const first = await json(await post(birth()));
    const second = await json(await post(birth()));
    const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(first.id).toMatch(uuidV7);
    expect(second.id).toMatch(uuidV7);
    expect(second.id > first.id).toBe(true);
    const issuedAt = Number.parseInt(first.id.replace(/-/g, '').slice(0, 12), 16);
    expect(issuedAt).toBeGreaterThanOrEqual(sent);
    expect(issuedAt).toBeLessThanOrEqual(Date.now());
  });

  it('commits the registration number, office and details to the ledger', async () => {
    const body = await json(await post(birth()));
    const [row] = await t.env.sql<{ content: { data: { registration: { number: string; office: string }; details: { child: { givenName: string } } } } }[]>`
      select content from record_versions where record_id = ${body.id}`;
    expect(row!.content.data.registration).toMatchObject({ number: body.registrationNumber, office: '1802' });
    expect(row!.content.data.details.child.givenName).toBe('Mohinur');
  });

  it('registers a birth without a father', async () => {
    const res = await post(birth((b) => delete b.father));
    expect(res.status).toBe(201);
  });

  it('accepts place names with any apostrophe and case, and records them as the register spells them', async () => {
    const res = await post(birth((b) => (b.child.placeOfBirth = { region: 'SAMARQAND VILOYATI', district: 'pastdargʻom tumani', settlement: 'Juma' })));
    expect(res.status).toBe(201);
    const { id } = await json(res);
    const record = await json(await t.request('GET', `/v1/records/${id}`, { token: registrar }));
    expect(record.data.details.child.placeOfBirth).toEqual({ region: 'Samarqand viloyati', district: "Pastdarg'om tumani", settlement: 'Juma' });
  });

  it('refuses a child born in the future', async () => {
    await refused(birth((b) => (b.child.dateOfBirth = '2999-01-01')), 'child.dateOfBirth', /future/);
  });

  it("refuses a parent's date of birth in the future", async () => {
    await refused(birth((b) => (b.father.dateOfBirth = '2999-01-01')), 'father.dateOfBirth', /future/);
  });

  it('refuses a date that does not exist', async () => {
    await refused(birth((b) => (b.child.dateOfBirth = '2025-02-30')), 'child.dateOfBirth', /real date/);
  });

  it('refuses a date not written YYYY-MM-DD', async () => {
    await refused(birth((b) => (b.child.dateOfBirth = '03.10.2025')), 'child.dateOfBirth', /YYYY-MM-DD/);
  });

  it('refuses a child born before the mother', async () => {
    await refused(birth((b) => (b.mother.dateOfBirth = '2025-12-01')), 'child.dateOfBirth', /mother's date of birth/);
  });

  it('refuses a child born before the father', async () => {
    await refused(birth((b) => (b.father.dateOfBirth = '2025-10-04')), 'child.dateOfBirth', /father's date of birth/);
  });

  it("refuses a place of birth in another region than the office's", async () => {
    await refused(birth((b) => (b.child.placeOfBirth = { region: 'Buxoro viloyati', district: "G'ijduvon tumani", settlement: "G'ijduvon" })), 'child.placeOfBirth.region', /region of office 1802/);
  });

  it('refuses a district that is not in the region', async () => {
    await refused(birth((b) => (b.child.placeOfBirth.district = 'Chust tumani')), 'child.placeOfBirth.district', /not a district or city of Samarqand viloyati/);
  });

  it('refuses a region that does not exist', async () => {
    await refused(birth((b) => (b.child.placeOfBirth.region = 'Atlantis viloyati')), 'child.placeOfBirth.region', /14 regions/);
  });

  it('refuses a mother younger than 14 at the birth without confirmation', async () => {
    const problem = await refused(birth((b) => (b.mother.dateOfBirth = '2012-01-15')), 'mother.dateOfBirth', /13 at the birth.*confirmations\.parentYoungerThan14/);
    expect(problem.field).toBe('mother.dateOfBirth');
  });

  it('registers a mother younger than 14 when confirmed, and records the confirmation', async () => {
    const res = await post(
      birth((b) => {
        b.mother.dateOfBirth = '2012-01-15';
        b.confirmations = { parentYoungerThan14: true };
      }),
    );
    expect(res.status).toBe(201);
    const { id } = await json(res);
    const record = await json(await t.request('GET', `/v1/records/${id}`, { token: registrar }));
    expect(record.data.confirmed).toEqual([{ rule: 'parent-younger-than-14', field: 'mother.dateOfBirth' }]);
    expect(record.data.details.confirmations).toEqual({ parentYoungerThan14: true });
  });

  it('counts a parent who turns 14 on the day of the birth as 14', async () => {
    expect((await post(birth((b) => (b.father.dateOfBirth = '2011-10-03')))).status).toBe(201);
  });

  it('refuses a PINFL that is not 14 digits', async () => {
    await refused(birth((b) => (b.mother.pinfl = '4180496123004')), 'mother.pinfl', /14 digits/);
  });

  it('refuses the same PINFL for mother and father', async () => {
    await refused(birth((b) => (b.father.pinfl = b.mother.pinfl)), 'father.pinfl', /same as the mother/);
  });

  it('registers a birth in another office of the same region, under that office\'s own numbers', async () => {
    const city = await t.token('registrar', '1801');
    const res = await t.request('POST', '/v1/births', { token: city, body: birth((b) => (b.office = '1801')) });
    expect(res.status).toBe(201);
    expect((await json(res)).registrationNumber).toMatch(/^1801-\d{4}-000001$/);
  });

  it('lists every failed field at once', async () => {
    const before = await registryState(t.env);
    const res = await post(birth((b) => {
      b.child.dateOfBirth = '2999-01-01';
      b.mother.citizenship = 'uzb';
      delete b.informant.relationship;
    }));
    const problem = await json(res);
    expect(res.status).toBe(422);
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(['child.dateOfBirth', 'informant.relationship', 'mother.citizenship']);
    expect(problem.errors).toContainEqual({ field: 'informant.relationship', reason: 'required' });
    expect(await registryState(t.env)).toEqual(before);
  });
});

describe('POST /v1/births when PostgreSQL ends the session midway', () => {
  it('issues the registration on a new session, once, and answers 201', async () => {
    const before = await registryState(t.env);
    // Hold the office's counter row, so that the registration waits inside its transaction.
    const holder = await t.env.sql.reserve();
    await holder`begin`;
    await holder`select * from registration_counters where office_code = '1802' for update`;
    const inFlight = post(birth());
    let waiting: { pid: number }[] = [];
    while (waiting.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Asked outside the holder's transaction: inside one, pg_stat_activity answers the snapshot
      // of its first reading, and a birth that was not waiting yet then would never be seen waiting.
      waiting = await t.env.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    }
    await holder`select pg_terminate_backend(${waiting[0]!.pid})`;
    await holder`commit`;
    holder.release();

    const res = await inFlight;
    const created = await json(res);
    expect(res.status, JSON.stringify(created)).toBe(201);
    const after = await registryState(t.env);
    expect(after.records).toBe(before.records + 1);
    expect(after.versions).toBe(before.versions + 1);
    const [record] = await t.env.sql<{ registration_sequence: number }[]>`select registration_sequence from registry_records where record_id = ${created.id}`;
    expect(after.counters).toContain(`1802:${created.registrationNumber.split('-')[1]}:${record!.registration_sequence}`);
  });
});
