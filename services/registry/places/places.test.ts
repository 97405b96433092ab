import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findDistrict, findUnit, normaliseName, topLevelUnits, unitByCode } from './places.ts';

describe("Uzbekistan's places", () => {
  it('lists the 14 top-level units: 12 regions, Karakalpakstan and Tashkent city', () => {
    const names = topLevelUnits().map((u) => u.name);
    expect(names).toHaveLength(14);
    expect(names.filter((n) => n.endsWith(' viloyati'))).toHaveLength(12);
    expect(names).toContain("Qoraqalpog'iston Respublikasi");
    expect(names).toContain('Toshkent shahri');
  });

  it('gives each unit its SOATO code and a list of distinct districts', () => {
    expect(unitByCode('1703')?.name).toBe('Andijon viloyati');
    expect(unitByCode('1735')?.name).toBe("Qoraqalpog'iston Respublikasi");
    for (const unit of topLevelUnits()) {
      expect(new Set(unit.districts.map(normaliseName)).size, unit.name).toBe(unit.districts.length);
      expect(unit.districts.length, unit.name).toBeGreaterThanOrEqual(8);
    }
  });

  it('finds names whatever the apostrophe and case', () => {
    const fargona = findUnit('FARGʻONA VILOYATI');
    expect(fargona?.code).toBe('1730');
    expect(findDistrict(fargona!, 'qo‘qon shahri')).toBe("Qo'qon shahri");
    expect(findDistrict(fargona!, 'Urgut tumani')).toBeUndefined();
  });

  it('normalises a name typed in ASCII exactly as it normalises any other', () => {
    const general = (v: string) => v.normalize('NFC').replace(/[`ʻʼ‘’´]/g, "'").trim().replace(/\s+/g, ' ').toLocaleLowerCase('uz');
    for (const name of ["Olim O`G'LI", '  KARIMOVA   Mohinur ', "Qo'qon shahri", 'Oʻgʻiloy', 'Ёқуб\tИСМОИЛОВ', 'IİıI']) expect(normaliseName(name), name).toBe(general(name));
  });

  it('has every seeded registry office in one of the units', () => {
    const migration = readFileSync(new URL('../../database/migrations/0003_registry.sql', import.meta.url), 'utf8');
    const offices = [...migration.matchAll(/\('(\d{4})', '(?:[^']|'')+', '(\d{4})', '[a-z-]+'\)/g)].map((m) => ({ code: m[1]!, region: m[2]! }));
    expect(offices.length).toBeGreaterThanOrEqual(14 * 3);
    for (const o of offices) expect(unitByCode(o.region), o.code).toBeDefined();
    for (const unit of topLevelUnits()) expect(offices.filter((o) => o.region === unit.code).length, unit.name).toBeGreaterThanOrEqual(3);
  });
});
