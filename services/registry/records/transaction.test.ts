/**
 * The two-round-trip transaction: everything commits together or nothing does, whichever
 * statement fails, and the connection goes back to the pool fit for the next transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../../tests/support/services.ts';
import { connectDatabase, connectionLost, type Sql } from '../../database/client.ts';
import { pipelinedTransaction } from './transaction.ts';

let env: TestEnvironment;
// One connection only: a transaction that kept it, or left it inside a transaction, would show.
let sql: Sql;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  sql = connectDatabase(env.config, { max: 1 });
  await sql`create table probe_counter (n integer not null)`;
  await sql`insert into probe_counter values (0)`;
  await sql`create table probe_row (n integer primary key)`;
});
afterAll(async () => {
  await sql.end();
  await env.close();
});

const counter = async () => (await sql<{ n: number }[]>`select n from probe_counter`)[0]!.n;
const rows = async () => (await sql<{ n: number }[]>`select n from probe_row order by n`).map((r) => r.n);

/** Takes the next number, then writes a row with it (or with `row`, to make the last statement fail). */
const take = (row?: number) =>
  pipelinedTransaction(sql, async (tx) => {
    const [taken] = await tx<{ n: number }[]>`update probe_counter set n = n + 1 returning n`;
    // The last statement's parameters go as strings, as transaction.ts asks.
    return { last: tx`insert into probe_row values (${String(row ?? taken!.n)}::integer)`, result: taken!.n };
  });

describe('a pipelined transaction', () => {
  it('commits the body and the last statement together', async () => {
    expect(await take()).toBe(1);
    expect(await counter()).toBe(1);
    expect(await rows()).toEqual([1]);
  });

  it('keeps nothing of the body when the last statement fails', async () => {
    await expect(take(1)).rejects.toMatchObject({ code: '23505' });
    expect(await counter()).toBe(1);
    expect(await take()).toBe(2);
    expect(await rows()).toEqual([1, 2]);
  });

  it('keeps nothing when the body fails, and the connection serves the next transaction', async () => {
    const failing = pipelinedTransaction(sql, async (tx) => {
      await tx`update probe_counter set n = n + 1`;
      await tx`select 1 / 0`;
      return { last: tx`select 1`, result: null };
    });
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    expect(await counter()).toBe(2);
    expect(await take()).toBe(3);
  });

  it('keeps nothing when the code between the statements throws', async () => {
    const failing = pipelinedTransaction(sql, async (tx) => {
      await tx`update probe_counter set n = n + 1`;
      throw new Error('the content cannot be committed');
    });
    await expect(failing).rejects.toThrow('the content cannot be committed');
    expect(await counter()).toBe(3);
    expect(await sql`select 1 as alive`).toEqual([{ alive: 1 }]);
  });

  it('keeps nothing when PostgreSQL ends the session midway, and the next transaction commits', async () => {
    const operator = connectDatabase(env.config, { max: 1 });
    const lost = pipelinedTransaction(sql, async (tx) => {
      await tx`update probe_counter set n = n + 1`;
      const [backend] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await operator`select pg_terminate_backend(${backend!.pid})`;
      while ((await operator`select 1 from pg_stat_activity where pid = ${backend!.pid}`).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      return { last: tx`insert into probe_row values (${'99'}::integer)`, result: null };
    });
    expect(connectionLost(await lost.catch((e: unknown) => e))).toBe(true);
    await operator.end();
    expect(await counter()).toBe(3);
    expect(await take()).toBe(4);
    expect(await rows()).toEqual([1, 2, 3, 4]);
  });
});
