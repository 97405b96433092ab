/**
 * @module
 * How the audit reads PostgreSQL: as the read-only role of `DATABASE_READONLY_URL` when it is set
 * (see migration 0005_audit.sql, role `crvs_auditor`), else through `DATABASE_URL`; either way
 * inside one `REPEATABLE READ READ ONLY` transaction, so the server refuses any write and every
 * query of the audit sees one snapshot while the anchor worker keeps sealing.
 */
import type { Config } from '../config/env.ts';
import { connectDatabase, pingDatabase, type Sql } from '../database/client.ts';

/** postgres.js `sql.begin(options, ...)`: one snapshot, no writes (PostgreSQL SET TRANSACTION). */
export const READ_ONLY_SNAPSHOT = 'isolation level repeatable read read only';

export async function connectAuditDatabase(config: Config, applicationName = 'crvs-audit'): Promise<Sql> {
  // One connection: the whole audit is one transaction.
  const sql = connectDatabase(config, { max: 1, applicationName, url: config.database.readonlyUrl ?? config.database.url });
  try {
    await pingDatabase(sql);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  return sql;
}
