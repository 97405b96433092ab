/**
 * @module
 * Schema migrations: the files of `migrations/`, applied in file-name order, each in its own
 * transaction, recorded in `schema_migrations` with a checksum. Run at every start; a session-level
 * advisory lock makes concurrent starts (API, workers on several machines) apply each file once.
 * An applied file that was later edited is refused: migrations are history, add a new file instead.
 *
 * A migration is SQL (`NNNN_name.sql`), or, where rows must be recomputed by code that exists only
 * in TypeScript (the cross-script search key of names), a module (`NNNN_name.ts`) whose
 * {@link DataMigration.up} runs in the migration's transaction.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  /** The file's text: the SQL to run, or the source of a data migration module. */
  sql: string;
  /** Set for a `.ts` migration: the module to import. */
  module?: string;
}

/** What a `.ts` migration exports. `db` is the migration's connection, inside its transaction. */
export interface DataMigration {
  up(db: Sql): Promise<void>;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.(sql|ts)$/.test(f)).sort();
  const versions = files.map((f) => f.slice(0, 4));
  const twice = versions.find((v, i) => versions.indexOf(v) !== i);
  if (twice) throw new RegistryError('config-invalid', `two migrations numbered ${twice}`);
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(path.join(dir, file), 'utf8');
      const ts = file.endsWith('.ts');
      return {
        version: file.slice(0, 4),
        name: file.slice(5, ts ? -3 : -4),
        checksum: createHash('sha256').update(text).digest('hex'),
        sql: text,
        ...(ts ? { module: path.join(dir, file) } : {}),
      };
    }),
  );
}

async function apply(conn: Sql, m: MigrationFile): Promise<void> {
  if (!m.module) {
    await conn.unsafe(m.sql);
    return;
  }
  const { up } = (await import(pathToFileURL(m.module).href)) as Partial<DataMigration>;
  if (typeof up !== 'function') throw new Error('the module exports no up(db) function');
  await up(conn);
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
          // Applied meanwhile by another process (the embedded database has one session for all,
          // where the advisory lock does not keep two processes apart): applied once is enough.
          const [already] = await conn`select checksum from schema_migrations where version = ${m.version}`;
          if (already) {
            await conn.unsafe('commit');
            continue;
          }
          await apply(conn as unknown as Sql, m);
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
