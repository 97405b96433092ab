import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as migrateToSearchKeys } from '../../database/migrations/0009_people_search_key.ts';
import { normaliseName } from '../places/places.ts';
import { searchKey } from '../../names/search-key.ts';
import { birth, json, registryTestbed, type Testbed } from '../testing.ts';

let t: Testbed;
let auditor: string;
let cyrillic: string;
let latin: string;

beforeAll(async () => {
  t = await registryTestbed();
  auditor = await t.token('auditor');
  const registrar = await t.token('registrar', '1802');
  const register = async (body: unknown) => {
    const res = await t.request('POST', '/v1/births', { token: registrar, body });
    expect(res.status).toBe(201);
    return (await json(res)).registrationNumber as string;
  };
  cyrillic = await register(birth((b) => Object.assign(b.child, { familyName: 'Жўраева', givenName: 'Гулчеҳра', patronymic: 'Бахтиёр қизи' })));
  latin = await register(birth((b) => Object.assign(b.child, { familyName: "Qo'chqorova", givenName: 'Shahnoza', patronymic: "Ulug'bek qizi" })));
});
afterAll(() => t.close());

const found = async (name: string) => {
  const res = await t.request('GET', `/v1/records?name=${encodeURIComponent(name)}`, { token: auditor });
  expect(res.status).toBe(200);
  return (await json(res)).items.map((i: { registrationNumber: string }) => i.registrationNumber);
};

describe('searching names across scripts', () => {
  it('finds a name registered in Uzbek Cyrillic by its Latin spelling', async () => {
    expect(await found("Jo'rayeva Gulchehra")).toEqual([cyrillic]);
  });

  it('finds a name registered in Latin by its Cyrillic spelling', async () => {
    expect(await found('Қўчқорова Шаҳноза')).toEqual([latin]);
  });

  it('finds a name by a Russian-style Latin spelling of the same sounds', async () => {
    expect(await found('Kochkorova Shakhnoza')).toEqual([latin]);
  });

  it('still tells different names apart', async () => {
    expect(await found('Жўраева Шаҳноза')).toEqual([]);
  });

  it('finds records registered before names were searched across scripts, once migration 0009 has run', async () => {
    // Stored as the registry stored names before: normalised for case, spaces and apostrophes only.
    const full = "Qo'chqorova Shahnoza Ulug'bek qizi";
    await t.env.sql`update registry_people set search_name = ${normaliseName(full)} where search_name = ${searchKey(full)}`;
    expect(await found('Қўчқорова')).toEqual([]);
    await t.env.sql.begin((tx) => migrateToSearchKeys(tx as never));
    expect(await found('Қўчқорова')).toEqual([latin]);
    expect(await found("Qo'chqorova")).toEqual([latin]);
  });
});

describe('the search key of a stored name', () => {
  it('is the key of the name as registered, so migration 0009 can recompute it from the stored form', () => {
    for (const name of ["Qo'chqorova Shahnoza Ulug'bek qizi", 'Жўраева  Гулчеҳра Бахтиёр ҚИЗИ', 'O‘g‘iloy  Ergasheva', 'Щербаков Юрий']) {
      expect(searchKey(normaliseName(name))).toBe(searchKey(name));
    }
  });
});
