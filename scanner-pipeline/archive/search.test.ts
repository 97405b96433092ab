import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { searchArchive } from './search.ts';
import { archiveText } from './testing.ts';

let env: TestEnvironment;
let soviet: string;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  // A Soviet-era record writes the Uzbek ў of Жўраев as у: Джураев.
  soviet = await archiveText(
    env,
    'Свидетельство о рождении. Фамилия Джураев, имя Уктам, родился 13 ноября 1983 г.',
    { child: { familyName: { value: 'Джураев', confidence: 0.95 } }, dateOfBirth: { value: '1983-11-13', confidence: 0.95 } },
    'rus',
  );
});
afterAll(() => env.close());

describe('archive search in the spellings of another time', () => {
  it("finds a Soviet-era Джураев from today's Latin spelling Jo'rayev, with any apostrophe", async () => {
    for (const query of ["Jo'rayev", 'Joʻrayev', 'Jo‘rayev']) expect((await searchArchive(env.sql, query)).map((h) => h.id), query).toContain(soviet);
  });

  it("finds a Soviet-era Джураев from today's Cyrillic spelling Жўраев", async () => {
    expect((await searchArchive(env.sql, 'Жўраев')).map((h) => h.id)).toContain(soviet);
  });

  it('ranks the Soviet-era record as a whole-word match, not a near spelling', async () => {
    const [hit] = await searchArchive(env.sql, "Jo'rayev O'ktam");
    expect(hit).toMatchObject({ id: soviet });
    expect(hit!.score).toBeGreaterThanOrEqual(0.5);
  });

  it('finds a date typed in words, as certificates print it, in Russian or Uzbek', async () => {
    for (const query of ['13 ноября 1983', '1983 йил 13 ноябрь', '13-noyabr 1983']) {
      const [hit] = await searchArchive(env.sql, query);
      expect(hit?.id, query).toBe(soviet);
      expect(hit!.score, query).toBeGreaterThanOrEqual(0.5);
    }
  });
});
