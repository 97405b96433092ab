import { describe, expect, it } from 'vitest';
import { extractFromText, fieldValues } from './extract.ts';

// Forms that are not in corpus-dev: other spouse labels, wordings and line breaks.

describe('marriage certificate, Russian, with "родился/родилась" and "вступили в брак"', () => {
  const text = [
    'СВИДЕТЕЛЬСТВО О ЗАКЛЮЧЕНИИ БРАКА',
    'Гражданин Иванов Пётр Алексеевич',
    'родился 3 мая 1960 г.',
    'и гражданка Смирнова Ольга Викторовна',
    'родилась 14.08.1962',
    'вступили в брак 20 августа 1985 г.',
    'о чём в книге регистрации актов о заключении брака 1985 года августа месяца 20 числа произведена запись за № 412',
    'После заключения брака присвоены фамилии: мужу Иванов жене Иванова',
    'Место регистрации: Чиланзарский районный ЗАГС г. Ташкента',
    'Дата выдачи 20.08.1985',
    'Серия II-ТШ № 123456',
  ].join('\n');
  const { kind, fields } = extractFromText(text, { language: 'rus', kind: null });

  it('reads both spouses with their birth dates, and the marriage', () => {
    expect(kind).toBe('marriage');
    expect(fieldValues(fields)).toEqual({
      husband: { familyName: 'Иванов', givenName: 'Пётр', patronymic: 'Алексеевич', dateOfBirth: '1960-05-03' },
      wife: { familyName: 'Смирнова', givenName: 'Ольга', patronymic: 'Викторовна', dateOfBirth: '1962-08-14' },
      marriageDate: '1985-08-20',
      recordNumber: '412',
      surnamesAfterMarriage: { husband: 'Иванов', wife: 'Иванова' },
      registryOffice: 'Чиланзарский районный ЗАГС г. Ташкента',
      issueDate: '1985-08-20',
      certificateSeries: 'II-ТШ',
      certificateNumber: '123456',
    });
  });
});

describe('marriage certificate, Uzbek Latin, groom and bride labels', () => {
  const text = [
    'NIKOH TUZILGANLIGI HAQIDA GUVOHNOMA',
    "Kuyov: Karimov Jasur Akmal o'g'li",
    "Tug'ilgan sanasi: 1995-yil 3-mart",
    'Kelin: Tosheva Dilnoza Bahodir qizi',
    "Tug'ilgan sanasi: 14.11.1997",
    'Nikoh tuzilgan sana: 2019-yil 21-sentabr',
    'Dalolatnoma yozuvi № 233',
    'Nikohdan keyingi familiyalari:',
    'eri: Karimov xotini: Karimova',
    "Qayd etilgan joy: Samarqand shahar FHDYO bo'limi",
    'Berilgan sana: 21.09.2019',
    'Seriya I-SM № 7654321',
  ].join('\n');
  const { kind, fields } = extractFromText(text, { language: 'uzb', kind: null });

  it('gives each birth date to the spouse named before it', () => {
    expect(kind).toBe('marriage');
    expect(fieldValues(fields)).toEqual({
      husband: { familyName: 'Karimov', givenName: 'Jasur', patronymic: 'Akmal oʻgʻli', dateOfBirth: '1995-03-03' },
      wife: { familyName: 'Tosheva', givenName: 'Dilnoza', patronymic: 'Bahodir qizi', dateOfBirth: '1997-11-14' },
      marriageDate: '2019-09-21',
      recordNumber: '233',
      surnamesAfterMarriage: { husband: 'Karimov', wife: 'Karimova' },
      registryOffice: 'Samarqand shahar FHDYO boʻlimi',
      issueDate: '2019-09-21',
      certificateSeries: 'I-SM',
      certificateNumber: '7654321',
    });
  });
});

describe('marriage certificate, Uzbek Cyrillic', () => {
  const text = [
    'НИКОҲ ТУЗИЛГАНЛИГИ ҲАҚИДА ГУВОҲНОМА',
    'Фуқаро Раҳимов Шерзод Тоҳирович',
    '(фамилияси, исми, отасининг исми)',
    'Туғилган санаси 02.04.1970',
    'ва фуқаро Собирова Гулнора Эркиновна',
    '(фамилияси, исми, отасининг исми)',
    'Туғилган санаси 1972 йил 15 июль',
    'никоҳ тузганликлари ҳақида 1993 йил 5 август',
    'никоҳ тузилганлиги тўғрисидаги далолатнома ёзуви № 77 қайд этилди.',
    'Никоҳдан кейинги фамилиялари:',
    'эри Раҳимов хотини Раҳимова',
    'ФҲДЁ органи Бухоро шаҳар ФҲДЁ бўлими',
    'Берилган сана 1993 йил 6 август',
    'Серия II-БХ № 445566',
  ].join('\n');
  const { fields } = extractFromText(text, { language: 'uzb_cyrl', kind: null });

  it('reads the same fields in Cyrillic script', () => {
    expect(fieldValues(fields)).toEqual({
      husband: { familyName: 'Раҳимов', givenName: 'Шерзод', patronymic: 'Тоҳирович', dateOfBirth: '1970-04-02' },
      wife: { familyName: 'Собирова', givenName: 'Гулнора', patronymic: 'Эркиновна', dateOfBirth: '1972-07-15' },
      marriageDate: '1993-08-05',
      recordNumber: '77',
      surnamesAfterMarriage: { husband: 'Раҳимов', wife: 'Раҳимова' },
      registryOffice: 'Бухоро шаҳар ФҲДЁ бўлими',
      issueDate: '1993-08-06',
      certificateSeries: 'II-БХ',
      certificateNumber: '445566',
    });
  });
});

describe('marriage certificate as OCR garbles it', () => {
  it('joins a date OCR spaced out, and takes a label read run together with "и"', () => {
    const { fields } = extractFromText(
      ['СВИДЕТЕЛЬСТВО О ЗАКЛЮЧЕНИИ БРАКА', 'Гражданин Гуломов Махрус Азаматович', 'родившийся 13 . 01 . 1938 . .', 'игражданк Каххарова Латофат Шерзодовна', 'родившаяся 05 : 12 : 1938'].join('\n'),
      { language: 'rus', kind: null },
    );
    expect(fieldValues(fields)).toMatchObject({
      husband: { familyName: 'Гуломов', dateOfBirth: '1938-01-13' },
      wife: { familyName: 'Каххарова', dateOfBirth: '1938-12-05' },
    });
  });

  it('leaves a birth date that is no date missing instead of borrowing the next line', () => {
    const { fields } = extractFromText(['Гражданка Волкова Лидия Романовна', 'родившаяся 19 . 92 . 1953', 'заключили брак 01.08.1982'].join('\n'), { language: 'rus', kind: 'marriage' });
    expect(fields.wife).toMatchObject({ dateOfBirth: { value: null } });
    expect(fields.marriageDate).toMatchObject({ value: '1982-08-01' });
  });
});
