import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birth, freshMarriage, json, registryTestbed, type Testbed } from '../testing.ts';

let t: Testbed;
let urgut: string;
let samarqand: string;
let auditor: string;
const numbers: Record<string, string> = {};

beforeAll(async () => {
  t = await registryTestbed();
  urgut = await t.token('registrar', '1802');
  samarqand = await t.token('registrar', '1801');
  auditor = await t.token('auditor');
  const register = async (token: string, name: string, body: unknown, path = '/v1/births') => {
    const res = await t.request('POST', path, { token, body });
    expect(res.status).toBe(201);
    numbers[name] = (await json(res)).registrationNumber;
  };
  await register(urgut, 'mohinur', birth());
  await register(urgut, 'sardor', birth((b) => Object.assign(b.child, { givenName: 'Sardor', patronymic: "Rustam o'g'li", sex: 'male', dateOfBirth: '2024-05-20' })));
  await register(samarqand, 'gulnora', birth((b) => {
    b.office = '1801';
    Object.assign(b.child, { familyName: 'Ergasheva', givenName: 'Gulnora', dateOfBirth: '2025-01-09' });
    b.child.placeOfBirth = { region: 'Samarqand viloyati', district: 'Samarqand shahri', settlement: 'Samarqand' };
  }));
  for (let i = 0; i < 5; i++) await register(urgut, `filler${i}`, birth((b) => (b.child.givenName = `Aziza${'abcde'[i]}`)));
  const marriages = await t.token('registrar', '2605');
  await register(marriages, 'marriage', freshMarriage(1), '/v1/marriages');
});
afterAll(() => t.close());

const search = async (query: string, token = auditor) => {
  const res = await t.request('GET', `/v1/records?${query}`, { token });
  return { status: res.status, body: await json(res) };
};
const found = (body: { items: { registrationNumber: string }[] }) => body.items.map((i) => i.registrationNumber).sort();

describe('GET /v1/records', () => {
  it('finds a record by any words of a name, ignoring case and apostrophes', async () => {
    const { status, body } = await search(`name=${encodeURIComponent('sardor RUSTAM o‘g‘li')}`);
    expect(status).toBe(200);
    expect(found(body)).toEqual([numbers.sardor]);
    expect(body.items[0].people).toContainEqual({ role: 'child', familyName: 'Karimova', givenName: 'Sardor', patronymic: "Rustam o'g'li", dateOfBirth: '2024-05-20' });
  });

  it("finds a birth by a parent's name", async () => {
    const { body } = await search('name=Dilnoza&kind=birth&limit=100');
    expect(body.items.length).toBe(8);
  });

  it('finds a record by date of birth, matched on the same person as the name', async () => {
    expect(found((await search('dateOfBirth=2024-05-20')).body)).toEqual([numbers.sardor]);
    expect(found((await search('name=Mohinur&dateOfBirth=2024-05-20')).body)).toEqual([]);
  });

  it('finds a record by registration number', async () => {
    expect(found((await search(`registrationNumber=${numbers.gulnora}`)).body)).toEqual([numbers.gulnora]);
  });

  it('finds the records of one office', async () => {
    expect(found((await search('office=1801')).body)).toEqual([numbers.gulnora]);
  });

  it('finds a marriage by a spouse', async () => {
    expect(found((await search('name=Nilufarb&kind=marriage')).body)).toEqual([numbers.marriage]);
  });

  it('pages through every match, newest first, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await search(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.items.map((i: { registrationNumber: string }) => i.registrationNumber));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.length).toBe(9);
    expect(new Set(seen).size).toBe(9);
    expect(seen[0]).toBe(numbers.marriage);
  });

  it('shows a registrar the records of their own office only', async () => {
    const { body } = await search('limit=100', urgut);
    expect(body.items.every((i: { office: string }) => i.office === '1802')).toBe(true);
    expect(body.items.length).toBe(7);
  });

  it("refuses a registrar's search of another office with 403", async () => {
    expect((await search('office=1801', urgut)).status).toBe(403);
  });

  it('refuses a page larger than 100', async () => {
    const { status, body } = await search('limit=101');
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: 'urn:crvs:problem:malformed-request', field: 'limit' });
  });

  it('refuses a cursor it did not give out', async () => {
    const { status, body } = await search('cursor=bm90LWEtY3Vyc29y');
    expect(status).toBe(400);
    expect(body.field).toBe('cursor');
  });

  it('refuses an unknown query parameter', async () => {
    const { status, body } = await search('page=2');
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ field: 'page', reason: 'unknown field' }]);
  });

  it('refuses a name without a letter rather than find everyone', async () => {
    const { status, body } = await search(`name=${encodeURIComponent("''")}`);
    expect(status).toBe(400);
    expect(body.field).toBe('name');
  });

  it('refuses SQL in a name with 400 and finds nothing', async () => {
    const { status, body } = await search(`name=${encodeURIComponent("x' OR '1'='1")}`);
    expect(status).toBe(400);
    expect(body.field).toBe('name');
  });
});
