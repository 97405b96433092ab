import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { flattenFields } from './fields.ts';
import { reviewField } from './review.ts';
import { archiveText } from './testing.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

const PAGE = [
  'СВИДЕТЕЛЬСТВО О РОЖДЕНИИ',
  'Гражданин Джураев',
  'Уктам Каримович',
  'родился 13 ноября 1983 г.',
  'место рождения г. Ташкент',
].join('\n');

describe('naming the kind of a document nobody could tell', () => {
  it('gives the fields read again no more confidence than the page was read with', async () => {
    const id = await archiveText(env, PAGE, {}, 'rus', null); // read with confidence 0.9
    const named = await reviewField(env.sql, id, { field: 'kind', action: 'fix', value: 'birth' }, { role: 'archivist', office: null, subject: null });
    const fields = [...flattenFields(named.fields).values()].filter((f) => f.value);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect(field.confidence).toBeLessThanOrEqual(0.9);
  });
});
