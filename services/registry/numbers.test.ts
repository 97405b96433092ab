/**
 * Registration numbers: unique per office and year, without gaps, under concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yearInTashkent } from './dates.ts';
import { allocateRegistrationNumber, formatRegistrationNumber } from './records/store.ts';
import { birth, json, registryTestbed, type Testbed } from './testing.ts';

let t: Testbed;
beforeAll(async () => {
  t = await registryTestbed();
});
afterAll(() => t.close());

const sequences = (numbers: string[]) => numbers.map((n) => Number(n.split('-')[2])).sort((a, b) => a - b);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('registration numbers', () => {
  it('are written office-year-sequence with six digits', () => {
    expect(formatRegistrationNumber('1703', 2026, 123)).toBe('1703-2026-000123');
  });

  it('gives 300 simultaneous births in one office the numbers 1 to 300, each once', async () => {
    const token = await t.token('registrar', '1802');
    const answers = await Promise.all(oneTo(300).map(() => t.request('POST', '/v1/births', { token, body: birth() })));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 201));
    const numbers = await Promise.all(answers.map(async (r) => (await json(r)).registrationNumber as string));
    expect(new Set(numbers).size).toBe(300);
    expect(numbers.every((n) => n.startsWith(`1802-${yearInTashkent()}-`))).toBe(true);
    expect(sequences(numbers)).toEqual(oneTo(300));
  });

  it('numbers each office on its own when offices register at the same time', async () => {
    const urgut = await t.token('registrar', '1804');
    const city = await t.token('registrar', '1801');
    const answers = await Promise.all(
      oneTo(200).map((i) =>
        i % 2 ? t.request('POST', '/v1/births', { token: urgut, body: birth((b) => (b.office = '1804')) }) : t.request('POST', '/v1/births', { token: city, body: birth((b) => (b.office = '1801')) }),
      ),
    );
    const numbers = await Promise.all(answers.map(async (r) => (await json(r)).registrationNumber as string));
    expect(sequences(numbers.filter((n) => n.startsWith('1804-')))).toEqual(oneTo(100));
    expect(sequences(numbers.filter((n) => n.startsWith('1801-')))).toEqual(oneTo(100));
  });

  it('leaves no gap when refused registrations are mixed in', async () => {
    const token = await t.token('registrar', '1803');
    const answers = await Promise.all(
      oneTo(100).map((i) =>
        t.request('POST', '/v1/births', {
          token,
          body: birth((b) => {
            b.office = '1803';
            if (i % 3 === 0) b.mother.dateOfBirth = '2026-01-01'; // refused: the child would be born before the mother
          }),
        }),
      ),
    );
    const created = answers.filter((r) => r.status === 201);
    expect(created.length).toBe(67);
    const numbers = await Promise.all(created.map(async (r) => (await json(r)).registrationNumber as string));
    expect(sequences(numbers)).toEqual(oneTo(67));
  });

  it('gives a number back when the transaction that took it rolls back', async () => {
    const first = await t.env.sql.begin((tx) => allocateRegistrationNumber(tx, '0301', 2030));
    await expect(
      t.env.sql.begin(async (tx) => {
        await allocateRegistrationNumber(tx, '0301', 2030);
        throw new Error('the ledger insert failed');
      }),
    ).rejects.toThrow('the ledger insert failed');
    const next = await t.env.sql.begin((tx) => allocateRegistrationNumber(tx, '0301', 2030));
    expect([first.number, next.number]).toEqual(['0301-2030-000001', '0301-2030-000002']);
  });

  it('agree with the registry index: one record per number, sequences contiguous per office and year', async () => {
    const rows = await t.env.sql<{ office_code: string; registration_year: number; n: number; max: number; distinct_numbers: number }[]>`
      select office_code, registration_year, count(*)::int as n, max(registration_sequence) as max, count(distinct registration_number)::int as distinct_numbers
      from registry_records group by office_code, registration_year`;
    for (const r of rows) {
      expect(r.max).toBe(r.n);
      expect(r.distinct_numbers).toBe(r.n);
    }
  });
});
