/**
 * @module
 * Roles and what each may do. One table, read by the HTTP layer and documented in the README:
 *
 * | role        | may                                                                  |
 * |-------------|----------------------------------------------------------------------|
 * | `registrar` | issue and correct registrations, read records: in their own office only |
 * | `archivist` | ingest archival scans and read every record                          |
 * | `auditor`   | read everything (records, evidence, tokens, audit trail); change nothing |
 * | `admin`     | create, list and revoke tokens; no access to records                 |
 *
 * No role may change a record other than by a correction (a new version); nothing deletes one.
 */
import { RegistryError } from '../errors.ts';

export const ROLES = ['registrar', 'archivist', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  'registrations.issue': ['registrar'],
  'registrations.correct': ['registrar'],
  'records.read': ['registrar', 'archivist', 'auditor'],
  'archive.ingest': ['archivist'],
  'tokens.read': ['admin', 'auditor'],
  'tokens.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Who is asking: the token behind the request. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  /** The registry office the token belongs to; a registrar always has one. */
  office: string | null;
}

export function can(principal: Principal, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(principal.role);
}

export function assertCan(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) {
    throw new RegistryError('forbidden', `the ${principal.role} role may not do this (${permission})`, { details: { role: principal.role, permission } });
  }
}

/** Registrars act in their own office only; every other role that may read, reads across offices. */
export function assertOfficeScope(principal: Principal, officeCode: string): void {
  if (principal.role === 'registrar' && principal.office !== officeCode) {
    throw new RegistryError('forbidden', `a registrar of office ${principal.office} may not act on office ${officeCode}`, {
      details: { office: officeCode },
    });
  }
}
