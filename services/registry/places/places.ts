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

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Lower case, single spaces, every apostrophe variant as `'`. */
export function normaliseName(value: string): string {
  // Most names are typed in ASCII (o'g'li): NFC leaves ASCII as it is, and ASCII letters lower the
  // same in Uzbek as anywhere, so the locale-aware path (several times slower) is not needed.
  if (PRINTABLE_ASCII.test(value)) return value.replaceAll('`', "'").trim().replace(/ +/g, ' ').toLowerCase();
  return value
    .normalize('NFC')
    .replace(/[`ʻʼ‘’´]/g, "'")
    .trim()
    .replace(/\s+/g, ' ')
    .toLocaleLowerCase('uz');
}

const byName = new Map(units.map((u) => [normaliseName(u.name), u]));
const byCode = new Map(units.map((u) => [u.code, u]));
// Normalised once here rather than every district on every lookup (a registration looks one up).
// The first spelling wins, as a search from the front would find it.
const districtsByName = new Map(units.map((u) => [u, new Map(u.districts.toReversed().map((d) => [normaliseName(d), d]))]));

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
  const known = districtsByName.get(unit);
  return known ? known.get(wanted) : unit.districts.find((d) => normaliseName(d) === wanted);
}
