/**
 * When PostgreSQL ends a session (a restart, a failover, an operator's pg_terminate_backend), the
 * client fails what ran on it and carries on. postgres.js 3.4.9 crashed the process instead, or
 * hung, or ran the rest of a dead transaction outside any transaction (porsager/postgres#1208,
 * #1199, #1216); patches/postgres+3.4.9.patch fixes that, and these tests hold it to it.
 * Each pool has one connection, so the connection that lost its session is the one used next.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { connectDatabase, connectionLost, type Sql } from './client.ts';

let env: TestEnvironment;
let operator: Sql;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  operator = connectDatabase(env.config, { max: 1 });
  await operator`create table session_probe (n integer not null)`;
});
afterAll(async () => {
  await operator.end();
  await env.close();
});

const onePool = () => connectDatabase(env.config, { max: 1 });
/** Ends the session `pid` and waits until PostgreSQL has let it go. */
async function terminate(pid: number): Promise<void> {
  await operator`select pg_terminate_backend(${pid})`;
  while ((await operator`select 1 from pg_stat_activity where pid = ${pid}`).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}
const backendOf = async (db: Sql) => (await db<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
const probeRows = async () => (await operator<{ n: number }[]>`select n from session_probe order by n`).map((r) => r.n);
/** How a request on a lost session ended: `lost` (CONNECTION_CLOSED, a reset, ...), or what else. */
const outcome = (error: unknown) => (connectionLost(error) ? 'lost' : String((error as { code?: string }).code ?? error));
/** The answer, or a failure if it does not come: a hang is a failure here, not a timeout of the test. */
const within = <T>(promise: Promise<T>, ms = 3_000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

describe('when PostgreSQL ends a session', () => {
  it('fails the transaction that was running on it, and the next query is answered', async () => {
    const sql = onePool();
    let pid = 0;
    const transaction = sql.begin(async (tx) => {
      pid = await backendOf(tx as unknown as Sql);
      await tx`select pg_sleep(5)`;
    });
    const ended = transaction.then(() => 'committed', outcome);
    while (pid === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await terminate(pid);
    expect(await ended).toBe('lost');
    const [row] = await within(sql<{ n: number }[]>`select 1 as n`);
    expect(row!.n).toBe(1);
    await within(sql.end({ timeout: 5 }), 1_000);
  });

  it('never runs the rest of a dead transaction, not even on the session the pool opened next', async () => {
    const sql = onePool();
    let bodyEnded: (outcome: string | undefined) => void;
    const body = new Promise<string | undefined>((resolve) => (bodyEnded = resolve));
    const transaction = sql.begin(async (tx) => {
      await tx`insert into session_probe values (1)`;
      await terminate(await backendOf(tx as unknown as Sql));
      // Someone else's query makes the pool reconnect the very connection the transaction had.
      await within(sql`select 1`);
      // The body does not know its transaction is gone, and goes on writing.
      await tx`insert into session_probe values (2)`.then(
        () => bodyEnded('written'),
        (error: unknown) => bodyEnded(outcome(error)),
      );
    });
    expect(await transaction.then(() => 'committed', outcome)).toBe('lost');
    expect(await within(body)).toBe('lost');
    expect(await probeRows()).toEqual([]);
    await sql.end({ timeout: 5 });
  });

  it('fails what is sent on a reserved connection after its session ended, and the pool goes on once it is released', async () => {
    const sql = onePool();
    const reserved = await sql.reserve();
    await terminate(await backendOf(reserved as unknown as Sql));
    expect(await reserved`select 1`.then(() => 'answered', outcome)).toBe('lost');
    reserved.release();
    const [row] = await within(sql<{ n: number }[]>`select 2 as n`);
    expect(row!.n).toBe(2);
    await within(sql.end({ timeout: 5 }), 1_000);
  });
});
