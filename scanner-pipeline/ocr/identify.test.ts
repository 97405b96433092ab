import { describe, expect, it } from 'vitest';
import { identificationLanguages, identifyLanguage } from './identify.ts';
import { textStrip, textBands } from './strip.ts';

const all = ['rus', 'uzb', 'uzb_cyrl'];
const language = (text: string) => identifyLanguage(text, all)?.language ?? null;

describe('identifyLanguage', () => {
  it('tells the script first', () => {
    expect(language("Otasining ismi Yorqin o'g'li\nBerilgan sana 29.06.2001")).toBe('uzb');
  });

  it('tells Uzbek Cyrillic by its letters', () => {
    expect(language('Отасининг исми Суҳроб ўғли\nОнаси Алиева Озода Носир қизи')).toBe('uzb_cyrl');
  });

  it('tells Uzbek Cyrillic by its words when read without its letters (Russian model)', () => {
    expect(language('Отасининг исми Сухроб угли\nТугилган санаси 13.11.1983\nБерилган сана 1984 йил')).toBe('uzb_cyrl');
  });

  it('tells Russian by its letters and words', () => {
    expect(language('о чём в книге записей актов гражданского состояния\nРодители: отец Шубин Илья Юрьевич')).toBe('rus');
  });

  it('says nothing about a stamp or a signature', () => {
    expect(language('М.П. 12')).toBeNull();
  });

  it('only looks among the candidates', () => {
    expect(identifyLanguage('Отасининг исми Суҳроб ўғли ва', ['rus', 'uzb'])?.language).toBe('rus');
    expect(identifyLanguage('anything', ['uzb'])).toEqual({ language: 'uzb', confidence: 1 });
  });

  it('reads the lines with Russian standing in for Uzbek Cyrillic', () => {
    expect(identificationLanguages(all)).toEqual(['rus', 'uzb']);
    expect(identificationLanguages(['uzb', 'uzb_cyrl'])).toEqual(['uzb', 'uzb_cyrl']);
  });
});

describe('textStrip', () => {
  it('stacks a few text lines spread over the page, without the frame', () => {
    const width = 600;
    const height = 800;
    const data = new Uint8Array(width * height).fill(255);
    for (let line = 0; line < 12; line++) for (let y = 100 + line * 50; y < 118 + line * 50; y++) for (let x = 100; x < 500; x += 1) if (x % 12 < 7) data[y * width + x] = 0;
    for (let y = 0; y < height; y++) data[y * width + 70] = 0; // frame rule
    const page = { width, height, data };
    expect(textBands(page)).toHaveLength(12);
    const strip = textStrip(page, 3)!;
    expect(strip.height).toBeLessThan(150);
    expect(strip.width).toBeLessThan(width);
    // No column stays inked down a whole line: the frame rule is gone, the "letters" are not.
    const inkedColumns = Array.from({ length: strip.width }, (_, x) => Array.from({ length: strip.height }, (_, y) => strip.data[y * strip.width + x]! === 0).filter(Boolean).length);
    expect(Math.max(...inkedColumns)).toBe(3 * 18);
    expect(inkedColumns.filter((n) => n > 0).length).toBeGreaterThan(100);
  });

  it('is null for a page without lines', () => {
    expect(textStrip({ width: 100, height: 100, data: new Uint8Array(10_000).fill(255) })).toBeNull();
  });
});
