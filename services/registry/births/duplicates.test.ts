import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as addBirthIdentities } from '../../database/migrations/0010_birth_identity.ts';
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

describe('migration 0010 on a registry that holds a birth twice', () => {
  it('gives the first registration the birth, leaves the later one as it was, and refuses the birth from then on', async () => {
    await t.env.sql`drop index registry_records_birth_identity`;
    const body = birth();
    const first = await json(await post(body));
    const second = await json(await post(body));
    expect(second.registrationNumber).not.toBe(first.registrationNumber);
    await t.env.sql`alter table registry_records drop column birth_identity`;

    await t.env.sql.begin((tx) => addBirthIdentities(tx as never));

    const rows = await t.env.sql<{ record_id: string; birth_identity: string | null }[]>`
      select record_id, birth_identity from registry_records where record_id in (${first.id}, ${second.id})`;
    expect(rows.find((r) => r.record_id === first.id)!.birth_identity).toBeTruthy();
    expect(rows.find((r) => r.record_id === second.id)!.birth_identity).toBeNull();
    await expectRefusedAs(await post(body), first.registrationNumber);
  });
});
