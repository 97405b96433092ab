import { describe, expect, it } from 'vitest';
import { isoDate, mendDigits, monthOf, parseDate } from './dates.ts';

const iso = (text: string) => parseDate(text)?.iso ?? null;

describe('parseDate', () => {
  it.each([
    ['13.11.1983', '1983-11-13'],
    ['5.1.2001', '2001-01-05'],
    ['13 . 01 . 1938', '1938-01-13'],
    ['05:12:1938', '1938-12-05'],
    ['13/11/1983', '1983-11-13'],
    ['22 марта 1991 г.', '1991-03-22'],
    ['«03» октября 1936 г.', '1936-10-03'],
    ['17 июня 2020 г.', '2020-06-17'],
    ['1984 йил 9 ноябрь', '1984-11-09'],
    ['2016-yil 10-yanvar', '2016-01-10'],
    ['2020 yil 17 iyun', '2020-06-17'],
    ['12-sentyabr 1999 yil', '1999-09-12'],
    ['1 мая 1945 года', '1945-05-01'],
    ['1991 года марта месяца 27 числа', '1991-03-27'],
  ])('reads %s as %s', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it('mends letters OCR reads for digits', () => {
    expect(iso('2O.11.2OO2')).toBe('2002-11-20');
    expect(iso('l9.03.19З6')).toBe('1936-03-19');
  });

  it('accepts a month name with one slip in a long word', () => {
    expect(iso('9 ноябръ 1984')).toBe('1984-11-09');
    expect(iso('3 октяоря 1936')).toBe('1936-10-03');
  });

  it('refuses dates that are not on the calendar', () => {
    expect(iso('31.02.1990')).toBeNull();
    expect(iso('19.92.1953')).toBeNull();
    expect(iso('12.06.0994')).toBeNull();
  });

  it('finds the first date in a sentence', () => {
    expect(iso('nikoh tuzganliklari haqida 2020-yil 17-iyun da')).toBe('2020-06-17');
    expect(parseDate('raqami 1461 sanasi 26.09.1936')).toMatchObject({ iso: '1936-09-26' });
  });

  it('returns null for text without a date', () => {
    expect(iso('Urganch shahar FHDYO boʻlimi')).toBeNull();
    expect(iso('Серия I-УЗ № 526287')).toBeNull();
  });
});

describe('monthOf', () => {
  it('knows months in Russian, Uzbek Latin and Uzbek Cyrillic, nominative and genitive', () => {
    expect([monthOf('января'), monthOf('yanvar'), monthOf('январь'), monthOf('Декабря'), monthOf('dekabr')]).toEqual([1, 1, 1, 12, 12]);
    expect([monthOf('sentabr'), monthOf('сентябрь'), monthOf('oktyabr'), monthOf('май'), monthOf('may')]).toEqual([9, 9, 10, 5, 5]);
  });

  it('does not guess between June and July from a misread short word', () => {
    expect(monthOf('июня')).toBe(6);
    expect(monthOf('июля')).toBe(7);
    expect(monthOf('июкя')).toBeNull();
  });
});

describe('isoDate and mendDigits', () => {
  it('checks the calendar, leap years included', () => {
    expect(isoDate(2000, 2, 29)).toBe('2000-02-29');
    expect(isoDate(1900, 2, 29)).toBeNull();
  });

  it('leaves tokens with other letters alone', () => {
    expect(mendDigits('2016-yil')).toBe('2016-yil');
    expect(mendDigits('19З6')).toBe('1936');
  });
});
