import { describe, expect, it } from 'vitest';
import { matchLabel } from './labels.ts';
import { restoreKnownWords } from './lexicon.ts';
import { fold, linesFromText, lineText } from './text.ts';

describe('lines of OCR text', () => {
  it('drops the marks frames and rules leave, keeps a dash standing for "none"', () => {
    const lines = linesFromText('|| Фамилия Шубина |\n_ — _\nрайон —');
    expect(lines.map((l) => lineText(l.tokens))).toEqual(['Фамилия Шубина', 'район —']);
  });

  it('joins a date OCR spaced out into one token', () => {
    expect(lineText(linesFromText('родившийся 13 . 01 . 1938')[0]!.tokens)).toBe('родившийся 13.01.1938');
    expect(lineText(linesFromText('родившийся 20. 02.1951')[0]!.tokens)).toBe('родившийся 20.02.1951');
  });
});

describe('labels', () => {
  const match = (text: string) => matchLabel(linesFromText(text)[0]!.tokens)?.name ?? null;

  it('match whatever the capitals, apostrophes and look-alike letters', () => {
    expect(match("TUG'ILGAN SANASI 02.09.1936")).toBe('dateOfBirth');
    expect(match('Tugʻilgan joyi Xorazm')).toBe('placeOfBirth');
    expect(match('Оtasi Ismoilov')).toBe('father'); // Cyrillic О in a Latin word
  });

  it('tolerate an OCR slip in a long word, but not a different word', () => {
    expect(match('Отасининг ими Суҳроб ўғли')).toBe('patronymic');
    expect(match('Otasining ismi Yorqin')).toBe('patronymic');
    expect(match('Otasi Ismoilov Yorqin')).toBe('father');
  });

  it('match words OCR ran together', () => {
    expect(match("Tug'ilgansanasi 16.10.2002")).toBe('dateOfBirth');
  });

  it('prefer the closer label: гражданин is not гражданка', () => {
    expect(match('Гражданин Иванов')).toBe('husband');
    expect(match('гражданка Иванова')).toBe('wife');
  });
});

describe('fold and the registry lexicon', () => {
  it('fold merges what OCR confuses and nothing else', () => {
    expect(fold('ФҲДЁ')).toBe(fold('ФХДЕ'));
    expect(fold("bo'limi")).toBe(fold('boʻlimi'));
    expect(fold('июня')).not.toBe(fold('июля'));
  });

  it('restores Uzbek letters in known words only, keeping capitals', () => {
    expect(restoreKnownWords('Қарши шахри ФХДЁ булими')).toBe('Қарши шаҳри ФҲДЁ бўлими');
    expect(restoreKnownWords('Кашкадарё вилояти, Карасу кишлоги')).toBe('Қашқадарё вилояти, Карасу қишлоғи');
  });
});
