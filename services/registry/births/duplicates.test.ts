import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as keyBirthsByNamesAndPinfl } from '../../database/migrations/0015_birth_identity_by_names_and_pinfl.ts';
import { birthIdentity } from '../records/people.ts';
import { BIRTH_EXAMPLE, type BirthDetails } from './schema.ts';
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

  it("refuses a birth registered with the mother's PINFL when it is sent again without it", async () => {
    const body = birth();
    const { registrationNumber } = await json(await post(body));
    const { pinfl: _pinfl, ...mother } = body.mother;
    await expectRefusedAs(await post(atSamarqand({ ...body, mother }), samarqand), registrationNumber);
  });

  it("refuses a birth registered without the mother's PINFL when it is sent again with it", async () => {
    const withPinfl = birth();
    const { pinfl: _pinfl, ...mother } = withPinfl.mother;
    const { registrationNumber } = await json(await post({ ...withPinfl, mother }));
    await expectRefusedAs(await post(withPinfl), registrationNumber);
  });

  it("refuses it with the mother's family name written otherwise when her PINFL is the same", async () => {
    const body = birth();
    const { registrationNumber } = await json(await post(body));
    await expectRefusedAs(await post({ ...body, mother: { ...body.mother, familyName: 'Rahimova' } }), registrationNumber);
  });

  it("registers one birth sent with and without the mother's PINFL at the same moment once", async () => {
    const body = birth();
    const { pinfl: _pinfl, ...mother } = body.mother;
    const answers = await Promise.all([post(body), post({ ...body, mother })]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it("refuses the birth of a namesake mother sent again, naming her own registration", async () => {
    const body = birth((b) => (b.mother.pinfl = '41804961230097'));
    await json(await post(body));
    const namesake = { ...body, mother: { ...body.mother, pinfl: '41804961230096' } };
    const { registrationNumber } = await json(await post(namesake));
    await expectRefusedAs(await post(namesake), registrationNumber);
  });

  it("lets a correction make a record the birth of a namesake mother's child", async () => {
    const body = birth((b) => (b.mother.pinfl = '41804961230095'));
    await json(await post(body));
    const other: Draft = { ...body, child: { ...body.child, givenName: 'Shahzoda' }, mother: { ...body.mother, pinfl: '41804961230094' } };
    const { id } = await json(await post(other));
    const { office: _office, ...details } = other;
    const res = await t.request('POST', `/v1/records/${id}/corrections`, {
      token: urgut,
      body: { correctsVersion: 1, reason: 'Child given name per the hospital certificate', details: { ...details, child: body.child } },
    });
    expect(res.status, JSON.stringify(await json(res.clone()))).toBe(201);
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
  it('is the child and the mother as the registry stored them when migration 0015 ran (a change needs a recompute)', () => {
    const child = `karimova mohinur|${BIRTH_EXAMPLE.child.dateOfBirth}`;
    expect(birthIdentity(BIRTH_EXAMPLE)).toEqual({ byNames: `${child}|karimova dilnoza|1996-04-18`, byPinfl: `${child}|pinfl:41804961230045`, motherPinfl: '41804961230045' });
    const { pinfl: _pinfl, ...mother } = BIRTH_EXAMPLE.mother;
    expect(birthIdentity({ ...BIRTH_EXAMPLE, mother })).toEqual({ byNames: `${child}|karimova dilnoza|1996-04-18`, byPinfl: null, motherPinfl: null });
  });
});

describe("migration 0015 on a registry that holds a birth twice, with and without the mother's PINFL", () => {
  it('gives the first registration both keys, leaves the later one as it was, and refuses the birth from then on', async () => {
    // A registry from before 0015, whose one key took the mother by PINFL where it was known.
    await t.env.sql`drop index registry_records_birth_identity`;
    await t.env.sql`drop index registry_records_birth_identity_pinfl`;
    const body = birth();
    const { pinfl: _pinfl, ...mother } = body.mother;
    const identity = birthIdentity(body as BirthDetails);
    const first = await json(await post(body));
    const second = await json(await post({ ...body, mother }));
    expect(second.registrationNumber).not.toBe(first.registrationNumber);
    await t.env.sql`alter table registry_records drop column birth_identity_pinfl`;
    await t.env.sql`update registry_records set birth_identity = ${identity.byPinfl} where record_id = ${first.id}`;
    await t.env.sql`create unique index registry_records_birth_identity on registry_records (birth_identity) where birth_identity is not null`;

    await t.env.sql.begin((tx) => keyBirthsByNamesAndPinfl(tx as never));

    const rows = await t.env.sql<{ record_id: string; birth_identity: string | null; birth_identity_pinfl: string | null }[]>`
      select record_id, birth_identity, birth_identity_pinfl from registry_records where record_id in (${first.id}, ${second.id})`;
    expect(rows.find((r) => r.record_id === first.id)).toMatchObject({ birth_identity: identity.byNames, birth_identity_pinfl: identity.byPinfl });
    expect(rows.find((r) => r.record_id === second.id)).toMatchObject({ birth_identity: null, birth_identity_pinfl: null });
    await expectRefusedAs(await post(body), first.registrationNumber);
    await expectRefusedAs(await post({ ...body, mother }), first.registrationNumber);

    // The later registration can still be corrected, and stays without the birth's keys.
    const { office: _office, ...details }: Draft = { ...body, mother };
    const fixed = { ...details, informant: { ...details.informant, givenName: 'Olim' } };
    const corrected = await t.request('POST', `/v1/records/${second.id}/corrections`, { token: urgut, body: { correctsVersion: 1, reason: 'Informant given name per the passport', details: fixed } });
    expect(corrected.status, JSON.stringify(await json(corrected.clone()))).toBe(201);
    const [after] = await t.env.sql<{ birth_identity: string | null; birth_identity_pinfl: string | null }[]>`
      select birth_identity, birth_identity_pinfl from registry_records where record_id = ${second.id}`;
    expect(after).toEqual({ birth_identity: null, birth_identity_pinfl: null });
  });
});
