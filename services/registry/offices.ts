/**
 * @module
 * Registry offices: civil registry (FHDYo) departments and Public Service Centers, seeded by
 * migration 0003. They change only with a migration, so they are read once and kept in memory.
 */
import type { Sql } from '../database/client.ts';
import type { Db } from '../ledger/record-versions.ts';
import { RegistryError } from '../errors.ts';

export interface Office {
  code: string;
  name: string;
  /** SOATO code of the office's top-level unit (see places/uzbekistan.json). */
  region: string;
  kind: 'regional-department' | 'district-office' | 'public-service-center';
}

export async function listOffices(db: Db): Promise<Office[]> {
  return db<Office[]>`select code, name, region_code as region, kind from registry_offices order by code`;
}

/** A lookup of offices by code, loaded on first use. */
export function officeDirectory(sql: Sql): (code: string) => Promise<Office | undefined> {
  let offices: Promise<Map<string, Office>> | undefined;
  return async (code) => {
    offices ??= listOffices(sql).then((list) => new Map(list.map((o) => [o.code, o])));
    try {
      return (await offices).get(code);
    } catch (error) {
      offices = undefined; // try again on the next request rather than keep a failure
      throw error;
    }
  };
}

/** The office with `code`, or a 422 naming the field. */
export async function requireOffice(lookup: (code: string) => Promise<Office | undefined>, code: string, field = 'office'): Promise<Office> {
  const office = await lookup(code);
  if (!office) throw new RegistryError('validation-failed', `${field}: no registry office has code ${code}`, { field, details: { errors: [{ field, reason: `no registry office has code ${code}` }] } });
  return office;
}
