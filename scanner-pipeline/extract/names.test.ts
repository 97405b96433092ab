import { describe, expect, it } from 'vitest';
import { pickPatronymic, pickPersonName, uzbekApostrophes } from './names.ts';
import { linesFromText } from './text.ts';

const tokens = (text: string) => linesFromText(text, 0.8)[0]!.tokens;
const values = (text: string) => {
  const p = pickPersonName(tokens(text));
  return [p.familyName?.value, p.givenName?.value, p.patronymic?.value];
};

describe('person names', () => {
  it('splits family name, given name and a Russian-style patronymic', () => {
    expect(values('Саттаров Абдулкарим Лутфиевич')).toEqual(['Саттаров', 'Абдулкарим', 'Лутфиевич']);
  });

  it("keeps the Uzbek patronymic as father's name and oʻgʻli/qizi, in the official spelling", () => {
    expect(values("Ismoilov Yorqin Abdulazim o'g'li")).toEqual(['Ismoilov', 'Yorqin', 'Abdulazim oʻgʻli']);
    expect(values('Алиева Озода Носир қизи')).toEqual(['Алиева', 'Озода', 'Носир қизи']);
    expect(values('Юсупов Комил Насриддин угли')).toEqual(['Юсупов', 'Комил', 'Насриддин ўғли']);
  });

  it('separates oʻgʻli that OCR ran into the name', () => {
    expect(pickPatronymic(tokens("Yorqino'gli"))?.value).toBe('Yorqin oʻgʻli');
  });

  it('ignores marks around names and stops at numbers', () => {
    expect(values('_Шубин, Илья Юрьевич |')).toEqual(['Шубин', 'Илья', 'Юрьевич']);
    expect(values('Иванов 1960')).toEqual(['Иванов', undefined, undefined]);
  });

  it('lowers confidence for a name not capitalised like one', () => {
    expect(pickPersonName(tokens('ИВАНОВ Пётр')).familyName?.confidence).toBeLessThan(0.8);
  });
});

describe('uzbekApostrophes', () => {
  it('writes oʻ and gʻ with U+02BB and the tutuq belgisi with U+02BC, and leaves Cyrillic alone', () => {
    expect(uzbekApostrophes("O'zbekiston bo`limi ma'lumot")).toBe('Oʻzbekiston boʻlimi maʼlumot');
    expect(uzbekApostrophes("Ўзбекистон'")).toBe("Ўзбекистон'");
  });
});
