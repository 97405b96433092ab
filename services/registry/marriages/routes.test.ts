import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as migrateToLatinNames } from '../../database/migrations/0011_people_identity_latin.ts';
import { normaliseName } from '../places/places.ts';
import { freshMarriage, json, marriage, registryState, registryTestbed, type Draft, type Testbed } from '../testing.ts';

let t: Testbed;
let registrar: string;
let n = 0;
beforeAll(async () => {
  t = await registryTestbed();
  registrar = await t.token('registrar', '2605');
});
afterAll(() => t.close());

const post = (body: unknown) => t.request('POST', '/v1/marriages', { token: registrar, body });
const fresh = (change?: (m: Draft) => void) => freshMarriage(++n, change);

async function refused(body: unknown, field: string, reason: RegExp) {
  const before = await registryState(t.env);
  const res = await post(body);
  const problem = await json(res);
  expect(res.status, JSON.stringify(problem)).toBe(422);
  expect(problem.type).toBe('urn:crvs:problem:validation-failed');
  expect(problem.errors).toContainEqual({ field, reason: expect.stringMatching(reason) });
  expect(await registryState(t.env)).toEqual(before);
}

describe('POST /v1/marriages', () => {
  it('registers the example marriage and answers with its number, version, commitment and pending status', async () => {
    const res = await post(marriage());
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ registrationNumber: expect.stringMatching(/^2605-\d{4}-000001$/), version: 1, status: 'pending' });
  });

  it('refuses a spouse younger than 18 on the date of the marriage', async () => {
    await refused(fresh((m) => (m.spouses[1].dateOfBirth = '2007-10-19')), 'spouses.1.dateOfBirth', /17 on the date of marriage.*18/);
  });

  it('registers a spouse who turns 18 on the day of the marriage', async () => {
    expect((await post(fresh((m) => (m.spouses[1].dateOfBirth = '2007-10-18')))).status).toBe(201);
  });

  it('counts someone born on 29 February as 18 only from 1 March of a common year', async () => {
    await refused(fresh((m) => ((m.spouses[0].dateOfBirth = '2004-02-29'), (m.dateOfMarriage = '2022-02-28'))), 'spouses.0.dateOfBirth', /17/);
    expect((await post(fresh((m) => ((m.spouses[0].dateOfBirth = '2004-02-29'), (m.dateOfMarriage = '2022-03-01'))))).status).toBe(201);
  });

  it('refuses a marriage dated in the future', async () => {
    await refused(fresh((m) => (m.dateOfMarriage = '2999-06-01')), 'dateOfMarriage', /future/);
  });

  it('refuses the same person twice, by PINFL', async () => {
    await refused(fresh((m) => (m.spouses[1].pinfl = m.spouses[0].pinfl)), 'spouses.1.pinfl', /two different persons/);
  });

  it('refuses the same person twice, by name and date of birth', async () => {
    await refused(
      fresh((m) => {
        m.spouses[1] = { ...m.spouses[0], citizenship: 'KZ', familyName: m.spouses[0].familyName.toUpperCase() };
        delete m.spouses[1].pinfl;
      }),
      'spouses.1',
      /two different persons/,
    );
  });

  it('refuses a spouse who is in a current marriage recorded here, found by PINFL', async () => {
    const first = fresh();
    expect((await post(first)).status).toBe(201);
    await refused(fresh((m) => (m.spouses[0] = { ...first.spouses[0], givenName: 'Boshqa' })), 'spouses.0', /current marriage recorded here \(2605-/);
  });

  it('refuses a spouse who is in a current marriage recorded here, found by the surname taken at marriage', async () => {
    const first = fresh((m) => (m.spouses[1].citizenship = 'RU'));
    delete first.spouses[1].pinfl;
    expect((await post(first)).status).toBe(201);
    const again = fresh((m) => {
      m.spouses[0].citizenship = 'RU';
      delete m.spouses[0].pinfl;
      m.spouses[0].familyName = first.spouses[1].familyNameAfterMarriage;
      m.spouses[0].givenName = first.spouses[1].givenName;
      m.spouses[0].dateOfBirth = first.spouses[1].dateOfBirth;
    });
    await refused(again, 'spouses.0', /current marriage recorded here/);
  });

  it('refuses a spouse in a current marriage recorded here in the other script', async () => {
    // A foreign bride without a PINFL, married here in Cyrillic; she marries again, written in Latin.
    const first = fresh((m) => {
      Object.assign(m.spouses[1], { citizenship: 'KZ', familyName: 'Жўраева', givenName: 'Ғунча', familyNameAfterMarriage: 'Жўраева' });
      delete m.spouses[1].pinfl;
    });
    const res = await post(first);
    expect(res.status, JSON.stringify(await json(res))).toBe(201);
    const again = fresh((m) => {
      Object.assign(m.spouses[1], { citizenship: 'KZ', familyName: "Jo'rayeva", givenName: "G'uncha", familyNameAfterMarriage: "Jo'rayeva", dateOfBirth: first.spouses[1].dateOfBirth });
      delete m.spouses[1].pinfl;
    });
    await refused(again, 'spouses.1', /current marriage recorded here/);
  });

  it('compares the spouses stored before migration 0011 across scripts once it has run', async () => {
    const first = fresh((m) => {
      Object.assign(m.spouses[1], { citizenship: 'KZ', familyName: 'Ерназарова', givenName: 'Шаҳло', familyNameAfterMarriage: 'Ерназарова' });
      delete m.spouses[1].pinfl;
    });
    const { id } = await json(await post(first));
    // As the registry stored names before: normalised only, in the script they were written in.
    await t.env.sql`update registry_people set identity_name = ${normaliseName('Ерназарова Шаҳло')}, identity_name_after = ${normaliseName('Ерназарова Шаҳло')}
      where record_id = ${id} and role = 'spouse2'`;
    await t.env.sql.begin((tx) => migrateToLatinNames(tx as never));
    const again = fresh((m) => {
      Object.assign(m.spouses[1], { citizenship: 'KZ', familyName: 'Yernazarova', givenName: 'Shahlo', familyNameAfterMarriage: 'Yernazarova', dateOfBirth: first.spouses[1].dateOfBirth });
      delete m.spouses[1].pinfl;
    });
    await refused(again, 'spouses.1', /current marriage recorded here/);
  });

  it('requires the PINFL of a citizen of Uzbekistan', async () => {
    await refused(fresh((m) => delete m.spouses[0].pinfl), 'spouses.0.pinfl', /required for a citizen of Uzbekistan/);
  });

  it('registers a foreign spouse without a PINFL', async () => {
    expect((await post(fresh((m) => ((m.spouses[1].citizenship = 'TR'), delete m.spouses[1].pinfl)))).status).toBe(201);
  });

  it('refuses other than two spouses', async () => {
    await refused(fresh((m) => m.spouses.pop()), 'spouses', /exactly two/);
  });

  it('lets only one of two simultaneous marriages of the same person through', async () => {
    const a = fresh();
    const b = fresh((m) => (m.spouses[0] = { ...a.spouses[0] }));
    const results = await Promise.all([post(a), post(b)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
  });
});
