/**
 * @module
 * How the audit reads PostgreSQL: as the read-only role of `DATABASE_READONLY_URL` when it is set
 * (see migration 0005_audit.sql, role `crvs_auditor`), else through `DATABASE_URL`; either way
 * inside one `REPEATABLE READ READ ONLY` transaction, so the server refuses any write and every
 * query of the audit sees one snapshot while the anchor worker keeps sealing.
 *
 * The auditor does not trust the database's administrator, who could otherwise show the auditor's
 * role another ledger than the application's:
 * - a schema named like the role holds look-alike tables, found first through `"$user"` in the
 *   default search_path: the search_path is pinned (`pg_catalog, public`) as a startup parameter,
 *   which outranks `ALTER ROLE … SET` and `ALTER DATABASE … SET`, and again in each transaction;
 * - row-level security policies filter rows for the auditor's role only: `row_security = off`
 *   makes PostgreSQL refuse such a query instead of filtering it (SQLSTATE 42501), and
 *   {@link rowSecurityFindings} reports any audited table with row security enabled or policies.
 */
import type { Config } from '../config/env.ts';
import { connectDatabase, pingDatabase, type Sql, type TransactionSql } from '../database/client.ts';
import type { Finding } from './findings.ts';

/** postgres.js `sql.begin(options, ...)`: one snapshot, no writes (PostgreSQL SET TRANSACTION). */
export const READ_ONLY_SNAPSHOT = 'isolation level repeatable read read only';

/** pg_catalog first, so no function or operator of `public` can stand in for a built-in one. */
export const PINNED_SEARCH_PATH = 'pg_catalog, public';

/** Every table the audit and `crvs verify record` read. */
export const AUDITED_TABLES = [
  'record_versions',
  'ledger_pending',
  'batches',
  'batch_leaves',
  'batch_anchors',
  'registry_records',
  'registry_people',
  'archive_documents',
  'audit_trail',
] as const;

export async function connectAuditDatabase(config: Config, applicationName = 'crvs-audit'): Promise<Sql> {
  const url = config.database.readonlyUrl ?? config.database.url;
  // One connection: the whole audit is one transaction. The embedded database (PGlite) has one
  // session shared by every client, which startup parameters must not change: there the
  // transaction-local settings of readOnlySnapshot do the pinning.
  const sql = connectDatabase(config, { max: 1, applicationName, url: config.database.embedded ? url : withPinnedSession(url) });
  try {
    await pingDatabase(sql);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  return sql;
}

/**
 * The URL with the audit's session parameters: postgres.js sends URL parameters it does not know
 * as startup parameters, and the last of a repeated one wins, so these override the operator's.
 */
export function withPinnedSession(url: string): string {
  const params = `search_path=${encodeURIComponent(PINNED_SEARCH_PATH)}&row_security=off`;
  return `${url}${url.includes('?') ? '&' : '?'}${params}`;
}

/** Runs `fn` in one read-only snapshot with the search_path pinned and row security off. */
export function readOnlySnapshot<T>(sql: Sql, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(READ_ONLY_SNAPSHOT, async (tx) => {
    // SET is a statement, not a function call: nothing on a hostile search_path can intercept it.
    await tx.unsafe(`set local search_path = ${PINNED_SEARCH_PATH}`);
    await tx.unsafe('set local row_security = off');
    return fn(tx);
  }) as Promise<T>;
}

/**
 * Audited tables with row-level security enabled or policies defined: the application needs
 * neither, so either one means that some role may be shown other rows than the application sees.
 */
export async function rowSecurityFindings(tx: TransactionSql): Promise<Finding[]> {
  const rows = await tx<{ relname: string; enabled: boolean; forced: boolean; policies: string[] }[]>`
    select c.relname, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
           array(select p.policyname::text from pg_catalog.pg_policies p where p.schemaname = n.nspname and p.tablename = c.relname order by 1) as policies
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relname = any(${tx.array([...AUDITED_TABLES])}::text[])
    order by c.relname`;
  return rows
    .filter((r) => r.enabled || r.policies.length)
    .map((r) => ({
      kind: 'row-security',
      message:
        `table ${r.relname} has row-level security ${r.enabled ? (r.forced ? 'enabled and forced' : 'enabled') : 'disabled'}` +
        (r.policies.length ? ` and ${r.policies.length === 1 ? 'policy' : 'policies'} ${r.policies.join(', ')}` : '') +
        ': some roles may be shown other rows than the application sees',
      expected: 'no row security, no policies',
      actual: `${r.enabled ? 'row security on' : 'row security off'}${r.policies.length ? `, ${r.policies.length} ${r.policies.length === 1 ? 'policy' : 'policies'}` : ''}`,
    }));
}

/** Whether `error` is PostgreSQL refusing a query that row-level security would filter (row_security = off). */
export function isRowSecurityRefusal(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === '42501' && typeof e.message === 'string' && /row-level security/i.test(e.message);
}
