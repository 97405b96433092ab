/**
 * The people index of one registration against its committed details, as the audit's hashing
 * workers compare it (the database side is covered by engine.test.ts and the CLI tests).
 */
import { describe, expect, it } from 'vitest';
import { BIRTH_EXAMPLE, type BirthDetails } from '../registry/births/schema.ts';
import { MARRIAGE_EXAMPLE, type MarriageDetails } from '../registry/marriages/schema.ts';
import { birthIdentity, birthPeople, marriagePeople, type IndexedPerson } from '../registry/records/people.ts';
import { indexDifferences, NameKeys } from './people-index.ts';

const { office: _birthOffice, ...birth } = structuredClone(BIRTH_EXAMPLE) as unknown as BirthDetails & { office: string };
const { office: _marriageOffice, ...marriage } = structuredClone(MARRIAGE_EXAMPLE) as unknown as MarriageDetails & { office: string };

/** The index rows as indexedColumn reads them, of people as the registry writes them. */
function indexed(people: IndexedPerson[], keys: { byNames: string | null; byPinfl: string | null } = { byNames: null, byPinfl: null }): string {
  const rows = people.map((p) => [p.role, p.searchName, p.identityName, p.identityNameAfter, p.dateOfBirth, p.pinfl]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return JSON.stringify(['2605-2025-000001', keys.byNames, keys.byPinfl, rows]);
}

const content = (kind: string, details: unknown) => ({ kind, data: { details } });

describe('a registration against its people index', () => {
  it('agrees with the index the registry wrote for a marriage', () => {
    expect(indexDifferences(content('marriage', marriage), indexed(marriagePeople(marriage)), new NameKeys())).toBeNull();
  });

  it("names the spouse whose name after marriage was rewritten", () => {
    const people = marriagePeople(marriage).map((p) => (p.role === 'spouse2' ? { ...p, identityNameAfter: 'yusupova nilufar' } : p));
    expect(indexDifferences(content('marriage', marriage), indexed(people), new NameKeys())).toMatchObject({ what: ['spouse2 (name after marriage)'] });
  });

  it('agrees with the index and keys the registry wrote for a birth', () => {
    const { byNames, byPinfl } = birthIdentity(birth);
    expect(indexDifferences(content('birth', birth), indexed(birthPeople(birth), { byNames, byPinfl }), new NameKeys())).toBeNull();
  });

  it('names a person the details do not have, and one the index lost', () => {
    const people = birthPeople(birth).filter((p) => p.role !== 'mother');
    const { father: _father, ...fatherless } = birth;
    const { byNames, byPinfl } = birthIdentity(birth);
    expect(indexDifferences(content('birth', fatherless), indexed(people, { byNames, byPinfl }), new NameKeys())).toMatchObject({
      what: ['mother (missing)', 'father (not in the record)'],
    });
  });

  it('leaves a birth key found empty to be judged against the other registrations', () => {
    const { byNames, byPinfl } = birthIdentity(birth);
    expect(indexDifferences(content('birth', birth), indexed(birthPeople(birth), { byNames: null, byPinfl }), new NameKeys())).toEqual({
      registrationNumber: '2605-2025-000001',
      what: [],
      without: [{ key: 'byNames', identity: byNames }],
    });
  });
});
