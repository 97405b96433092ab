import { describe, expect, it } from 'vitest';
import { linesFromText } from './text.ts';
import { numberIn, seriesIn, textIn } from './values.ts';

const tokens = (text: string, confidence = 0.9) => linesFromText(text, confidence)[0]!.tokens;
const series = (text: string, cyrillic: boolean, roman?: string) => {
  const s = seriesIn(tokens(text), cyrillic, { roman });
  return [s.series?.value, s.number?.value];
};

describe('seriesIn', () => {
  it('reads a clean series and number', () => {
    expect(series('I-XR № 4226843', false)).toEqual(['I-XR', '4226843']);
    expect(series('III-ТШ № 909315', true)).toEqual(['III-ТШ', '909315']);
  });

  it('mends the numeral and the letters from what OCR reads for them', () => {
    expect(series('1-У3 №`526287', true)).toEqual(['I-УЗ', '526287']);
    expect(series('Ш -ТШ.№909315', true)).toEqual(['III-ТШ', '909315']);
    expect(series('П-УЗ № 247802', true)).toEqual(['II-УЗ', '247802']);
    expect(series('II-AN Ne 9129979', false)).toEqual(['II-AN', '9129979']);
    expect(series('I-XR WN: 4226843', false)).toEqual(['I-XR', '4226843']);
  });

  it('writes the letters in the document script', () => {
    expect(series('I-TH № 886841', true)).toEqual(['I-ТН', '886841']);
    expect(series('I-АН № 662270', false)).toEqual(['I-AH', '662270']);
  });

  it('takes the numeral from a Latin re-read when the page model could not write it', () => {
    expect(series('ВҚД М2 121798', true, 'I')).toEqual(['I-ҚД', '121798']);
  });

  it('keeps an unreadable numeral with a low confidence, for review', () => {
    const s = seriesIn(tokens('ГАН № 595137'), true);
    expect(s.series?.value).toBe('Г-АН');
    expect(s.series!.confidence).toBeLessThan(0.5);
    expect(s.number).toEqual({ value: '595137', confidence: 0.9 });
  });
});

describe('numberIn and textIn', () => {
  it('mends digit slips and lowers confidence for them', () => {
    expect(numberIn(tokens('№ 14З9'))).toEqual({ value: '1439', confidence: 0.63 });
    expect(numberIn(tokens('1461 sanasi'))).toEqual({ value: '1461', confidence: 0.9 });
  });

  it('drops trailing marks from free text and restores Uzbek apostrophes', () => {
    expect(textIn(tokens("Urganch shahar FHDYO bo'limi —"))?.value).toBe('Urganch shahar FHDYO boʻlimi');
    expect(textIn(tokens('Отдел ЗАГС Ферганского горисполкома.'))?.value).toBe('Отдел ЗАГС Ферганского горисполкома');
  });
});
