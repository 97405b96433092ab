import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../tests/support/ports.ts';
import { migrate } from '../database/migrate.ts';
import type { Listen, Sql } from '../database/client.ts';
import { useSessionQueue } from './database.ts';
import { SessionQueue } from './session-queue.ts';

describe('the embedded database shared by several processes', () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let url: string;
  let listen: Listen;
  const clients: postgres.Sql[] = [];
  // One connection each, as every process of the system uses with the embedded database.
  const connect = (options: { prepare?: boolean } = {}) => {
    const sql = postgres(url, { max: 1, onnotice: () => {}, ...options });
    clients.push(sql);
    return sql;
  };

  beforeAll(async () => {
    db = await PGlite.create();
    const port = await freePort();
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 8 });
    ({ listen } = useSessionQueue(server, db));
    await server.start();
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end({ timeout: 1 })));
    await server.stop();
    await db.close();
  });

  it("answers each connection's queries with their own rows when they arrive together", async () => {
    // Unnamed statements show the sharing on every query (with pglite-socket's own queue, each
    // connection got the other's rows); named ones still share the unnamed portal.
    const [api, cli] = [connect({ prepare: false }), connect({ prepare: false })];
    const rounds = Array.from({ length: 150 }, (_, i) => i);
    const [fromApi, fromCli] = await Promise.all([
      Promise.all(rounds.map(async (i) => (await api`select ${i}::int as n, 'api' as who`)[0])),
      Promise.all(rounds.map(async (i) => (await cli`select ${`row ${i}`}::text as label, n from generate_series(1, 2) as n`).map((r) => r.label))),
    ]);
    expect(fromApi).toEqual(rounds.map((n) => ({ n, who: 'api' })));
    expect(fromCli).toEqual(rounds.map((i) => [`row ${i}`, `row ${i}`]));
  });

  it("runs another connection's queries after a transaction, never inside it", async () => {
    const [writer, reader] = [connect(), connect()];
    await writer`create table probe (n int)`;
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const outcome = writer
      .begin(async (tx) => {
        await tx`insert into probe values (1)`;
        inserted();
        await new Promise((resolve) => setTimeout(resolve, 100));
        throw new Error('rolled back');
      })
      .catch((error: Error) => error.message);
    await insertedYet;
    const [row] = await reader<{ count: number }[]>`select count(*)::int as count from probe`;
    expect(await outcome).toBe('rolled back');
    expect(row!.count).toBe(0);
  });

  it('applies each migration once when two processes start together', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crvs-embedded-migrations-'));
    writeFileSync(path.join(dir, '9001_probe_table.sql'), 'create table probe_once (n int);');
    writeFileSync(path.join(dir, '9002_probe_row.sql'), 'insert into probe_once values (1);');
    const [api, worker] = [connect(), connect()];
    const applied = await Promise.all([migrate(api as unknown as Sql, dir), migrate(worker as unknown as Sql, dir)]);
    expect(applied.flat().sort()).toEqual(['9001', '9002']);
    expect(await api`select n from probe_once`).toHaveLength(1);
  });

  it('tells the serving process what a connection notifies once its transaction commits, and nothing of one rolled back', async () => {
    const heard: string[] = [];
    await listen('desk_news', (payload) => heard.push(payload));
    const [sender] = [connect()];
    await sender.begin(async (tx) => {
      await tx`select pg_notify('desk_news', 'committed')`;
      expect(heard).toEqual([]);
    });
    await sender
      .begin(async (tx) => {
        await tx`select pg_notify('desk_news', 'rolled back')`;
        throw new Error('rolled back');
      })
      .catch(() => {});
    await sender`select pg_notify('other_channel', 'not ours')`;
    expect(heard).toEqual(['committed']);
  });

  it('frees the session when a connection goes away in the middle of a transaction', async () => {
    const [leaver, stayer] = [connect(), connect()];
    await leaver`create table left_behind (n int)`;
    const reserved = await leaver.reserve();
    await reserved`begin`;
    await reserved`insert into left_behind values (1)`;
    const waiting = stayer`select count(*)::int as count from left_behind`;
    await leaver.end({ timeout: 0 });
    expect((await waiting)[0]!.count).toBe(0);
  });
});

describe('the session queue', () => {
  it('goes on with the next message after one fails inside the database', async () => {
    let calls = 0;
    const session = {
      runExclusive: <T>(fn: () => Promise<T>) => fn(),
      isInTransaction: () => false,
      exec: async () => [],
      execProtocolRawStream: async (_message: Uint8Array, { onRawData }: { onRawData: (d: Uint8Array) => void }) => {
        calls += 1;
        if (calls === 1) throw new Error('internal failure');
        onRawData(new Uint8Array([0x5a, 0, 0, 0, 5, 0x49]));
      },
    };
    const queue = new SessionQueue(session as never);
    const query = new Uint8Array([0x51, 0, 0, 0, 5, 0]);
    await expect(queue.enqueue(1, query, () => {})).rejects.toThrow('internal failure');
    await expect(queue.enqueue(2, query, () => {})).resolves.toBe(6);
  });

  it("never lends the session again when a departed connection's transaction cannot be rolled back", async () => {
    const ran: number[] = [];
    const session = {
      runExclusive: <T>(fn: () => Promise<T>) => fn(),
      isInTransaction: () => true,
      exec: async () => {
        throw new Error('rollback failed');
      },
      execProtocolRawStream: async (message: Uint8Array) => {
        ran.push(message[0]!);
      },
    };
    const queue = new SessionQueue(session as never);
    const begin = new Uint8Array([0x51, 0, 0, 0, 10, ...Buffer.from('begin'), 0]);
    await queue.enqueue(1, begin, () => {});
    await queue.clearTransactionIfNeeded(1);
    const other = queue.enqueue(2, new Uint8Array([0x51, 0, 0, 0, 5, 0]), () => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.getQueueLength()).toBe(1);
    expect(ran).toEqual([0x51, 0x53]); // the begin, then the Sync of the cleanup; never the other's query
    queue.clearQueueForHandler(2);
    await expect(other).rejects.toThrow('Handler disconnected');
  });
});
