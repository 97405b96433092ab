/**
 * @module
 * Schema migrations: the `.sql` files of `migrations/`, applied in file-name order, each in its own
 * transaction, recorded in `schema_migrations` with a checksum. Run at every start; a session-level
 * advisory lock makes concurrent starts (API, workers on several machines) apply each file once.
 * An applied file that was later edited is refused: migrations are history, add a new file instead.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Sql } from './client.ts';
import { RegistryError } from '../errors.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Arbitrary but fixed: the advisory lock key every process of this system agrees on.
const MIGRATION_LOCK_KEY = 0x63727673;

export interface MigrationFile {
  version: string;
  name: string;
  checksum: string;
  sql: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        checksum: createHash('sha256').update(sql).digest('hex'),
        sql,
      };
    }),
  );
}

/** Applies every pending migration; returns the versions applied now. */
export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return sql.reserve().then(async (conn) => {
    try {
      await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
      await conn`
        create table if not exists schema_migrations (
          version text primary key,
          name text not null,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`;
      const applied = new Map(
        (await conn<{ version: string; checksum: string }[]>`select version, checksum from schema_migrations`).map((r) => [
          r.version,
          r.checksum,
        ]),
      );
      const done: string[] = [];
      for (const m of migrations) {
        const known = applied.get(m.version);
        if (known !== undefined) {
          if (known !== m.checksum) {
            throw new RegistryError('config-invalid', `migration ${m.version}_${m.name} was changed after it was applied`);
          }
          continue;
        }
        await conn.unsafe('begin');
        try {
          await conn.unsafe(m.sql);
          await conn`insert into schema_migrations (version, name, checksum) values (${m.version}, ${m.name}, ${m.checksum})`;
          await conn.unsafe('commit');
        } catch (error) {
          await conn.unsafe('rollback');
          throw new RegistryError('config-invalid', `migration ${m.version}_${m.name} failed: ${(error as Error).message}`, { cause: error });
        }
        done.push(m.version);
      }
      return done;
    } finally {
      await conn`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
      conn.release();
    }
  });
}
