/**
 * @module
 * Uzbekistan's administrative places, read from data (`uzbekistan.json`), not code: the 14
 * top-level units (12 regions, the Republic of Karakalpakstan, Tashkent city) and their districts
 * and cities of regional subordination.
 *
 * Names are compared ignoring case, surrounding spaces and which apostrophe was typed (Uzbek Latin
 * writes oʻ/gʻ with U+02BB and the tutuq belgisi with U+02BC, keyboards give ' or ’), and are
 * answered in the data's own spelling, so a record always carries one spelling of a place.
 */
import { z } from 'zod';
import data from './uzbekistan.json' with { type: 'json' };

const PlacesFile = z.object({
  units: z
    .array(z.object({ code: z.string().regex(/^17\d{2}$/), name: z.string().min(1), districts: z.array(z.string().min(1)).min(1) }))
    .length(14),
});

export interface TopLevelUnit {
  code: string;
  name: string;
  districts: readonly string[];
}

const units: readonly TopLevelUnit[] = PlacesFile.parse(data).units;

/** Lower case, single spaces, every apostrophe variant as `'`. */
export function normaliseName(value: string): string {
  return value
    .normalize('NFC')
    .replace(/[`ʻʼ‘’´]/g, "'")
    .trim()
    .replace(/\s+/g, ' ')
    .toLocaleLowerCase('uz');
}

const byName = new Map(units.map((u) => [normaliseName(u.name), u]));
const byCode = new Map(units.map((u) => [u.code, u]));

export function topLevelUnits(): readonly TopLevelUnit[] {
  return units;
}

/** The unit named `name` (any apostrophe, any case), or undefined. */
export function findUnit(name: string): TopLevelUnit | undefined {
  return byName.get(normaliseName(name));
}

export function unitByCode(code: string): TopLevelUnit | undefined {
  return byCode.get(code);
}

/** The district of `unit` named `name`, in the data's spelling, or undefined. */
export function findDistrict(unit: TopLevelUnit, name: string): string | undefined {
  const wanted = normaliseName(name);
  return unit.districts.find((d) => normaliseName(d) === wanted);
}
