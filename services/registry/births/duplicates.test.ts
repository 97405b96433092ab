import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as addBirthIdentities } from '../../database/migrations/0010_birth_identity.ts';
import { birthIdentity } from '../records/people.ts';
import { BIRTH_EXAMPLE } from './schema.ts';
import { birth, json, registryState, registryTestbed, type Draft, type Testbed } from '../testing.ts';

let t: Testbed;
let urgut: string;
let samarqand: string;
beforeAll(async () => {
  t = await registryTestbed();
  urgut = await t.token('registrar', '1802');
  samarqand = await t.token('registrar', '1801');
});
afterAll(() => t.close());

const post = (body: unknown, token = urgut) => t.request('POST', '/v1/births', { token, body });
/** The same birth registered by the Samarqand city office (the same region). */
const atSamarqand = (b: Draft): Draft => ({ ...b, office: '1801', child: { ...b.child, placeOfBirth: { region: 'Samarqand viloyati', district: 'Samarqand shahri', settlement: 'Samarqand' } } });

async function expectRefusedAs(res: Response, registrationNumber: string) {
  const problem = await json(res);
  expect(res.status, JSON.stringify(problem)).toBe(409);
  expect(problem).toMatchObject({ type: 'urn:crvs:problem:conflict', field: 'child', registrationNumber });
  expect(problem.detail).toContain(`registered already as ${registrationNumber}`);
}

describe('one registration per birth', () => {
  it('refuses a birth registered already with 409, naming its registration, and changes nothing', async () => {
    const body = birth();
    const first = await json(await post(body));
    const before = await registryState(t.env);
    await expectRefusedAs(await post(body), first.registrationNumber);
    expect(await registryState(t.env)).toEqual(before);
  });

  it('refuses it from another office too', async () => {
    const body = birth();
    const first = await json(await post(body));
    await expectRefusedAs(await post(atSamarqand(body), samarqand), first.registrationNumber);
  });

  it('refuses it written in the other script or with other apostrophes', async () => {
    const body = birth((b) => Object.assign(b.child, { familyName: "Qo'chqorova", givenName: 'Mohinur' }));
    const first = await json(await post(body));
    const cyrillic = structuredClone(body);
    Object.assign(cyrillic.child, { familyName: 'Қўчқорова', givenName: 'Моҳинур' });
    Object.assign(cyrillic.mother, { familyName: 'Каримова', givenName: 'Дилноза' });
    await expectRefusedAs(await post(cyrillic), first.registrationNumber);
  });

  it('registers one birth sent by two desks at the same moment once', async () => {
    const body = birth();
    const answers = await Promise.all([post(body), post(atSamarqand(body), samarqand)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const [created] = await Promise.all(answers.filter((r) => r.status === 201).map(json));
    await expectRefusedAs(answers.find((r) => r.status === 409)!, created.registrationNumber);
  });

  it('issues the rest of the births that arrive together with ones registered already', async () => {
    const known = birth();
    const { registrationNumber: knownNumber } = await json(await post(known));
    const twice = birth();
    const others = Array.from({ length: 8 }, () => birth());
    const answers = await Promise.all([post(known), post(twice), post(twice), ...others.map((b) => post(b))]);
    const statuses = answers.map((r) => r.status);
    expect(statuses.slice(3)).toEqual(others.map(() => 201));
    await expectRefusedAs(answers[0]!, knownNumber);
    expect([statuses[1], statuses[2]].sort()).toEqual([201, 409]);
    const [created] = await Promise.all([answers[1]!, answers[2]!].filter((r) => r.status === 201).map(json));
    await expectRefusedAs([answers[1]!, answers[2]!].find((r) => r.status === 409)!, created.registrationNumber);
  });

  it('tells apart two mothers of one name and birthday by their PINFLs', async () => {
    const body = birth((b) => (b.mother.pinfl = '41804961230099'));
    const { registrationNumber } = await json(await post(body));
    expect((await post({ ...body, mother: { ...body.mother, pinfl: '41804961230098' } })).status).toBe(201);
    await expectRefusedAs(await post(body), registrationNumber);
  });

  it('registers twins: the same mother and day, another given name', async () => {
    const body = birth();
    expect((await post(body)).status).toBe(201);
    expect((await post({ ...body, child: { ...body.child, givenName: 'Shahzoda' } })).status).toBe(201);
  });

  it('refuses a correction that makes a record the same birth as another', async () => {
    const mine = birth();
    const other = birth((b) => (b.child.givenName = 'Shahzoda'));
    const { registrationNumber } = await json(await post(other));
    const { id } = await json(await post(mine));
    const { office: _office, ...details } = other;
    const res = await t.request('POST', `/v1/records/${id}/corrections`, { token: urgut, body: { correctsVersion: 1, reason: 'Mother and child names per the hospital certificate', details } });
    await expectRefusedAs(res, registrationNumber);
  });

  it('lets a correction change the names the birth is known by, and keeps it one birth', async () => {
    const body = birth();
    const { id, registrationNumber } = await json(await post(body));
    const { office: _office, ...details } = body;
    const renamed = { ...details, child: { ...details.child, givenName: 'Mohinoz' } };
    const corrected = await t.request('POST', `/v1/records/${id}/corrections`, { token: urgut, body: { correctsVersion: 1, reason: 'Given name per the hospital certificate', details: renamed } });
    expect(corrected.status).toBe(201);
    await expectRefusedAs(await post({ office: '1802', ...renamed }), registrationNumber);
    expect((await post(body)).status).toBe(201);
  });
});

describe('the identity of a birth', () => {
  it('is the child and the mother as the registry stored them when migration 0010 ran (a change needs a recompute)', () => {
    expect(birthIdentity(BIRTH_EXAMPLE)).toBe(`karimova mohinur|${BIRTH_EXAMPLE.child.dateOfBirth}|pinfl:41804961230045`);
    const { pinfl: _pinfl, ...mother } = BIRTH_EXAMPLE.mother;
    expect(birthIdentity({ ...BIRTH_EXAMPLE, mother })).toBe(`karimova mohinur|${BIRTH_EXAMPLE.child.dateOfBirth}|karimova dilnoza|1996-04-18`);
  });
});

describe('migration 0010 on a registry that holds a birth twice', () => {
  it('gives the first registration the birth, leaves the later one as it was, and refuses the birth from then on', async () => {
    // A registry from before 0010: nothing stopped a birth registered twice.
    await t.env.sql`drop index registry_records_birth_identity`;
    const body = birth();
    const first = await json(await post(body));
    await t.env.sql`update registry_records set birth_identity = null where record_id = ${first.id}`;
    const second = await json(await post(body));
    expect(second.registrationNumber).not.toBe(first.registrationNumber);
    await t.env.sql`alter table registry_records drop column birth_identity`;

    await t.env.sql.begin((tx) => addBirthIdentities(tx as never));

    const rows = await t.env.sql<{ record_id: string; birth_identity: string | null }[]>`
      select record_id, birth_identity from registry_records where record_id in (${first.id}, ${second.id})`;
    expect(rows.find((r) => r.record_id === first.id)!.birth_identity).toBeTruthy();
    expect(rows.find((r) => r.record_id === second.id)!.birth_identity).toBeNull();
    await expectRefusedAs(await post(body), first.registrationNumber);

    // The later registration can still be corrected, and stays without the birth's identity.
    const { office: _office, ...details } = body;
    const fixed = { ...details, informant: { ...details.informant, givenName: 'Olim' } };
    const corrected = await t.request('POST', `/v1/records/${second.id}/corrections`, { token: urgut, body: { correctsVersion: 1, reason: 'Informant given name per the passport', details: fixed } });
    expect(corrected.status, JSON.stringify(await json(corrected.clone()))).toBe(201);
    const [after] = await t.env.sql<{ birth_identity: string | null }[]>`select birth_identity from registry_records where record_id = ${second.id}`;
    expect(after!.birth_identity).toBeNull();
  });
});
