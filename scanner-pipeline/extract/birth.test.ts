import { describe, expect, it } from 'vitest';
import { extractFromText, fieldValues as fieldValuesOf } from './extract.ts';

// Forms that are not in corpus-dev: other label orders, wordings, capitals, colons, OCR slips.

describe('birth certificate, Uzbek Latin, another form design', () => {
  const text = [
    "O'ZBEKISTON RESPUBLIKASI",
    "TUG'ILGANLIK HAQIDA GUVOHNOMA",
    'Familiyasi, ismi, otasining ismi: Karimova Madina Jasur qizi',
    "Tug'ilgan vaqti: 1999-yil 5-mart",
    "Tug'ilgan joyi: Samarqand viloyati,",
    'Urgut tumani',
    'Ota-onasi:',
    "Otasi: Karimov Jasur Akmal o'g'li",
    'Onasi: Karimova Zarina Botir qizi',
    'Dalolatnoma yozuvi raqami № 55 sanasi 12.03.1999',
    "Qayd etilgan joy: Urgut tumani FHDYO bo'limi",
    'Guvohnoma berilgan sana: 12.03.1999',
    'Seriya II-SM № 1234567',
  ].join('\n');
  const { kind, fields } = extractFromText(text, { language: 'uzb', kind: null });

  it('finds the kind from the heading', () => {
    expect(kind).toBe('birth');
  });

  it('reads the fields under their labels, in any order', () => {
    expect(fieldValuesOf(fields)).toEqual({
      child: { familyName: 'Karimova', givenName: 'Madina', patronymic: 'Jasur qizi' },
      dateOfBirth: '1999-03-05',
      placeOfBirth: 'Samarqand viloyati, Urgut tumani',
      father: { familyName: 'Karimov', givenName: 'Jasur', patronymic: 'Akmal oʻgʻli' },
      mother: { familyName: 'Karimova', givenName: 'Zarina', patronymic: 'Botir qizi' },
      recordNumber: '55',
      recordDate: '1999-03-12',
      registryOffice: 'Urgut tumani FHDYO boʻlimi',
      issueDate: '1999-03-12',
      certificateSeries: 'II-SM',
      certificateNumber: '1234567',
    });
  });
});

describe('birth certificate, Russian, post-1992 wording in capitals', () => {
  const text = [
    'СВИДЕТЕЛЬСТВО О РОЖДЕНИИ',
    'ФАМИЛИЯ Петрова',
    'ИМЯ Анна',
    'ОТЧЕСТВО Сергеевна',
    'Дата рождения: 01.02.2003',
    'Место рождения: г. Ташкент',
    'Запись акта о рождении № 1234 от 05.02.2003',
    'Отец: Петров Сергей Иванович',
    'Мать: Петрова Мария Олеговна',
    'Место государственной регистрации: Мирабадский отдел ЗАГС г. Ташкента',
    'Дата выдачи: 5 февраля 2003 г.',
    'Серия IV-ТН № 765432',
  ].join('\n');
  const { fields } = extractFromText(text, { language: 'rus', kind: null });

  it('reads names, dates, the record and the certificate', () => {
    expect(fieldValuesOf(fields)).toEqual({
      child: { familyName: 'Петрова', givenName: 'Анна', patronymic: 'Сергеевна' },
      dateOfBirth: '2003-02-01',
      placeOfBirth: 'г. Ташкент',
      father: { familyName: 'Петров', givenName: 'Сергей', patronymic: 'Иванович' },
      mother: { familyName: 'Петрова', givenName: 'Мария', patronymic: 'Олеговна' },
      recordNumber: '1234',
      recordDate: '2003-02-05',
      registryOffice: 'Мирабадский отдел ЗАГС г. Ташкента',
      issueDate: '2003-02-05',
      certificateSeries: 'IV-ТН',
      certificateNumber: '765432',
    });
  });
});

describe('birth certificate, Soviet Russian form with the place in parts', () => {
  const text = [
    'СВИДЕТЕЛЬСТВО О РОЖДЕНИИ',
    'Фамилия Алиев', 'Имя Рустам', 'Отчество Каримович',
    'Родился(лась) 7 ноября 1958 г.',
    'Место рождения:',
    'город, селение г. Коканд',
    'район —',
    'область, край Ферганская',
    'республика Узбекская ССР',
    'о чём в книге записей актов гражданского состояния о рождении 1958 года',
    'ноября месяца 20 числа произведена запись за № 2207',
    'Родители:', 'отец Алиев Карим Алиевич', 'мать Алиева Саида Рахимовна',
    'Место регистрации', 'Кокандский горЗАГС',
    'Дата выдачи «20» ноября 1958 г.',
    'Серия III-ФР № 112233',
  ].join('\n');
  const { fields } = extractFromText(text, { language: 'rus', kind: 'birth' });

  it('composes the place as the registry writes it, skipping an empty district', () => {
    expect(fields.placeOfBirth).toMatchObject({ value: 'город Коканд, Ферганская область, Узбекская ССР' });
  });

  it('takes the record date and number from the act-book sentence across the line break', () => {
    expect(fields.recordDate).toMatchObject({ value: '1958-11-20' });
    expect(fields.recordNumber).toMatchObject({ value: '2207' });
  });

  it('reads the office printed under its label', () => {
    expect(fields.registryOffice).toMatchObject({ value: 'Кокандский горЗАГС' });
  });
});

describe('birth certificate, Uzbek Cyrillic as the Russian model reads it', () => {
  // Without ў қ ғ ҳ: the labels still match, and known words get their letters back.
  const text = [
    'ТУГИЛГАНЛИК ХАКИДА ГУВОХНОМА',
    'Фамилияси Тошпулатов', 'Исми Бобур', 'Отасининг исми Алишер угли',
    'Тугилган санаси 03.07.1977',
    'Тугилган жойи Кашкадарё вилояти, Шахрисабз шахри',
    'Отаси Тошпулатов Алишер Равшан угли', 'Онаси Тошпулатова Нилуфар Азиз кизи',
    'Далолатнома ёзуви раками 88 санаси 10.07.1977',
    'ФХДЁ органи Шахрисабз шахар ФХДЁ булими',
    'Берилган сана 1977 йил 10 июль',
    'Серия I-КД № 334455',
  ].join('\n');
  const { kind, fields } = extractFromText(text, { language: 'rus', kind: null });

  it('still finds kind, labels and dates', () => {
    expect(kind).toBe('birth');
    expect(fieldValuesOf(fields)).toMatchObject({
      child: { familyName: 'Тошпулатов', givenName: 'Бобур', patronymic: 'Алишер ўғли' },
      dateOfBirth: '1977-07-03',
      mother: { patronymic: 'Азиз қизи' },
      recordNumber: '88',
      recordDate: '1977-07-10',
      issueDate: '1977-07-10',
    });
  });

  it('restores the registry vocabulary and place names in free text', () => {
    expect(fields.placeOfBirth).toMatchObject({ value: 'Қашқадарё вилояти, Шаҳрисабз шаҳри' });
    expect(fields.registryOffice).toMatchObject({ value: 'Шаҳрисабз шаҳар ФҲДЁ бўлими' });
  });
});

describe('confidence', () => {
  it('is the weakest word of the value, and missing fields are null with 0', () => {
    const { fields } = extractFromText('СВИДЕТЕЛЬСТВО О РОЖДЕНИИ\nФамилия Петрова', { language: 'rus', kind: null });
    expect(fields.child).toMatchObject({ familyName: { value: 'Петрова', confidence: 1 }, givenName: { value: null, confidence: 0 } });
    expect(fields.dateOfBirth).toEqual({ value: null, confidence: 0 });
  });
});
