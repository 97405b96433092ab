import { describe, expect, it } from 'vitest';
import { cyrillicToLatin, searchKey } from './search-key.ts';

describe('Cyrillic to Uzbek Latin', () => {
  it('writes the Uzbek letters as the 1995 Latin alphabet does', () => {
    expect(cyrillicToLatin('Абдулқодир Суҳроб ўғли')).toBe("abdulqodir suhrob o'g'li");
    expect(cyrillicToLatin('Қашқадарё вилояти')).toBe('qashqadaryo viloyati');
  });

  it('writes е as ye at the start of a word and after a vowel, as the 1995 alphabet does', () => {
    expect(cyrillicToLatin('Ерназарова Жўраева Сергеевна Бекзод')).toBe("yernazarova jo'rayeva sergeyevna bekzod");
  });

  it('gives е the same search key wherever it stands', () => {
    expect(searchKey('Ерназарова Жўраева')).toBe(searchKey('Ernazarova Joraeva'));
  });

  it('writes Russian letters too', () => {
    expect(cyrillicToLatin('Щербаков Юрий Хасанович')).toBe('shcherbakov yuriy xasanovich');
  });
});

describe('search key', () => {
  it('gives a Cyrillic name and its Uzbek Latin spelling one key', () => {
    expect(searchKey('Юсуфов Абдулқодир')).toBe(searchKey('Yusufov Abdulqodir'));
  });

  it('ignores the oʻ/gʻ apostrophe in every form people type it', () => {
    const key = searchKey('ўғли');
    for (const typed of ["o'g'li", 'oʻgʻli', 'o‘g‘li', 'o’g’li', 'o`g`li', 'ogli']) expect(searchKey(typed)).toBe(key);
  });

  it('folds Russian-style Latin spellings of the same sounds', () => {
    expect(searchKey('Khasanov')).toBe(searchKey('Хасанов'));
    expect(searchKey('Zhuravlev')).toBe(searchKey('Журавлев'));
    expect(searchKey('Abdulkodir')).toBe(searchKey('Абдулқодир'));
    expect(searchKey('Hasanov')).toBe(searchKey('Xasanov'));
    expect(searchKey('Jurayev')).toBe(searchKey('Джураев'));
    expect(searchKey('Dzhuraev')).toBe(searchKey('Джураев'));
  });

  it('keeps digits, dates and series as they are, lower case', () => {
    expect(searchKey('Серия I-ҚД № 121798, 13.11.1983')).toBe('seriya i-kd № 121798, 13.11.1983');
  });
});
