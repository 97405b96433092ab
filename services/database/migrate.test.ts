import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { migrate, readMigrations } from './migrate.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'crvs-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

describe('schema migrations', () => {
  it('records every migration of the project once applied at start', async () => {
    const files = await readMigrations();
    const rows = await env.sql<{ version: string }[]>`select version from schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
    expect(await migrate(env.sql)).toEqual([]);
  });

  it('applies files in order, each once, even when processes start together', async () => {
    await env.sql`create schema if not exists probe`;
    const dir = migrationsDir({
      '9001_probe_table.sql': 'create table probe.t (n int);',
      '9002_probe_row.sql': 'insert into probe.t values (1);',
    });
    const results = await Promise.all([migrate(env.sql, dir), migrate(env.sql, dir), migrate(env.sql, dir)]);
    expect(results.flat().sort()).toEqual(['9001', '9002']);
    expect((await env.sql`select n from probe.t`).length).toBe(1);
  });

  it('leaves nothing behind when a migration fails', async () => {
    const dir = migrationsDir({ '9101_half.sql': 'create table probe.half (n int); select no_such_function();' });
    await expect(migrate(env.sql, dir)).rejects.toThrow(/9101_half failed/);
    expect((await env.sql`select to_regclass('probe.half') as t`)[0]!.t).toBeNull();
  });

  it('runs a TypeScript data migration in its transaction, once', async () => {
    const dir = migrationsDir({
      '9301_probe_rows.sql': 'create table probe.rows (n int);',
      '9302_probe_fill.ts': 'export async function up(db) { for (const n of [1, 2, 3]) await db`insert into probe.rows values (${n})`; }',
    });
    expect(await migrate(env.sql, dir)).toEqual(['9301', '9302']);
    expect(await migrate(env.sql, dir)).toEqual([]);
    expect((await env.sql`select count(*)::int as n from probe.rows`)[0]!.n).toBe(3);
  });

  it('leaves nothing of a data migration that fails halfway', async () => {
    await env.sql`create table if not exists probe.kept (n int)`;
    const dir = migrationsDir({ '9401_probe_half.ts': 'export async function up(db) { await db`insert into probe.kept values (1)`; throw new Error("stopped"); }' });
    await expect(migrate(env.sql, dir)).rejects.toThrow(/9401_probe_half failed: stopped/);
    expect((await env.sql`select count(*)::int as n from probe.kept`)[0]!.n).toBe(0);
    expect(await env.sql`select 1 from schema_migrations where version = '9401'`).toHaveLength(0);
  });

  it('refuses a migration edited after it was applied', async () => {
    const dir = migrationsDir({ '9201_once.sql': 'create table probe.once (n int);' });
    await migrate(env.sql, dir);
    writeFileSync(path.join(dir, '9201_once.sql'), 'create table probe.once (n bigint);');
    await expect(migrate(env.sql, dir)).rejects.toThrow(/changed after it was applied/);
  });
});
