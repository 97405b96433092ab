import { describe, expect, it } from 'vitest';
import { characterErrors, compareFields, normaliseField, normaliseText } from './score.ts';

describe('comparison with the truth (corpus-dev README rules)', () => {
  it('normalises apostrophes, dashes, white space and composition', () => {
    expect(normaliseText("Oʻzbekiston  bo‘limi\n1991 — 1992 o`g'li")).toBe("O'zbekiston bo'limi 1991 - 1992 o'g'li");
    expect(normaliseText('й')).toBe('й'.normalize('NFC'));
  });

  it('compares fields without case and trailing punctuation', () => {
    expect(normaliseField('Горисполкома.')).toBe('горисполкома');
    expect(compareFields({ a: { b: 'Ismoilov' }, c: '1990-01-01' }, { a: { b: { value: 'ISMOILOV', confidence: 0.5 } }, c: null })).toEqual({ exact: 1, total: 2, missed: ['c'] });
  });

  it('counts character errors against the normalised truth', () => {
    expect(characterErrors('Familiyasi  Ismoilov', "Familiyasi Ismoilov")).toEqual({ errors: 0, length: 19 });
    expect(characterErrors('Fam1liyasi', 'Familiyasi')).toEqual({ errors: 1, length: 10 });
  });
});
