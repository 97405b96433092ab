/**
 * Group commit of registrations: many issued together keep their own numbers, versions and audit
 * entries, and one that fails does not take the others down with it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { databaseProxy } from '../../tests/support/database-proxy.ts';
import { connectDatabase } from '../database/client.ts';
import { readAuditTrail } from '../audit-trail/trail.ts';
import { listOffices, type Office } from './offices.ts';
import { issueRegistrations, type NewRegistration } from './registrations.ts';
import { registrationQueue } from './registration-queue.ts';
import { findIssued, insertRegistrations, type RegistrationRows } from './records/store.ts';
import { pipelinedTransaction } from './records/transaction.ts';
import { prepareRecordVersion } from '../ledger/record-versions.ts';
import { yearInTashkent } from './dates.ts';

let env: TestEnvironment;
let offices: Map<string, Office>;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  offices = new Map((await listOffices(env.sql)).map((o) => [o.code, o]));
});
afterAll(() => env.close());

function registration(office: string, recordId: string = randomUUID()): NewRegistration {
  return {
    recordId,
    kind: 'birth',
    office: offices.get(office)!,
    details: { child: { givenName: 'Aziza' } },
    people: [{ role: 'child', searchName: 'karimova aziza', identityName: 'karimova aziza', identityNameAfter: null, dateOfBirth: '2025-10-03', pinfl: null }],
    birthIdentity: null,
    audit: { requestId: `req-${recordId}`, actor: null, method: 'POST', route: '/v1/births', path: '/v1/births', status: 201 },
  };
}

const sequence = (n: string) => Number(n.split('-')[2]);

describe('issuing registrations together', () => {
  it('numbers a shared transaction per office in the order given', async () => {
    const issued = await issueRegistrations(env.sql, [registration('3001'), registration('3002'), registration('3001'), registration('3001')]);
    expect(issued.map((i) => i.registrationNumber.slice(0, 4))).toEqual(['3001', '3002', '3001', '3001']);
    expect(issued.filter((i) => i.registrationNumber.startsWith('3001')).map((i) => sequence(i.registrationNumber))).toEqual([1, 2, 3]);
    expect(new Set(issued.map((i) => i.commitment)).size).toBe(4);
  });

  it('writes each registration its own audit entry naming its record', async () => {
    const regs = [registration('3003'), registration('3003')];
    await issueRegistrations(env.sql, regs);
    for (const r of regs) expect(await readAuditTrail(env.sql, { recordId: r.recordId })).toMatchObject([{ requestId: `req-${r.recordId}`, status: 201 }]);
  });

  it('issues every queued registration exactly once with contiguous numbers', async () => {
    const issue = registrationQueue(env.sql, { maxInFlight: 2, maxBatch: 16 });
    const issued = await Promise.all(Array.from({ length: 120 }, (_, i) => issue(registration(i % 2 ? '3301' : '3302'))));
    for (const office of ['3301', '3302']) {
      expect(issued.filter((i) => i.registrationNumber.startsWith(office)).map((i) => sequence(i.registrationNumber)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
    }
  });

  it("issues an office's registrations while another office's transaction is held up, and keeps each office's order", async () => {
    await issueRegistrations(env.sql, [registration('3303')]);
    // Another session holds office 3601's counter row, as a slow transaction of another process would.
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = env.sql.begin(async (tx) => {
      await tx`select 1 from registration_counters where office_code = '3303' for update`;
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    const issue = registrationQueue(env.sql, { maxInFlight: 2, minConcurrentBatch: 1 });
    const first = issue(registration('3303'));
    await new Promise((resolve) => setTimeout(resolve, 50)); // its transaction is now waiting for the row
    const second = issue(registration('3303'));
    const otherOffice = issue(registration('3503'));
    const timedOut = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3000));
    try {
      expect(await Promise.race([otherOffice.then((i) => i.registrationNumber), timedOut])).toMatch(/^3503-\d{4}-000001$/);
    } finally {
      release();
      await holder;
    }
    expect([await first, await second].map((i) => i.registrationNumber).map(sequence)).toEqual([2, 3]);
  });

  it('refuses only the failing registration of a shared transaction, and leaves no gap', async () => {
    const [taken] = await issueRegistrations(env.sql, [registration('3501')]);
    const issue = registrationQueue(env.sql, { maxInFlight: 1, maxBatch: 64 });
    // The first is issued alone; the rest wait and go together, the duplicate record id among them.
    const results = await Promise.allSettled([issue(registration('3501')), ...Array.from({ length: 9 }, (_, i) => issue(registration('3501', i === 4 ? taken!.recordId : undefined)))]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    const numbers = results.flatMap((r) => (r.status === 'fulfilled' ? [sequence(r.value.registrationNumber)] : [])).sort((a, b) => a - b);
    expect(numbers).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('finds, after a lost session, exactly the registrations that committed, as they were issued', async () => {
    const issued = await issueRegistrations(env.sql, [registration('3003'), registration('3004')]);
    const neverIssued = randomUUID();
    const found = await findIssued(env.sql, [...issued.map((i) => i.recordId), neverIssued]);
    expect([...found.values()]).toEqual(expect.arrayContaining(issued.map((i) => expect.objectContaining(i))));
    expect(found.size).toBe(2);
    expect(found.has(neverIssued)).toBe(false);
  });

  it('answers a batch whose COMMIT went through but whose answer was lost as issued, once', async () => {
    const proxy = await databaseProxy(env.config.database.url);
    const throughProxy = connectDatabase(env.config, { url: proxy.url, max: 2 });
    try {
      const issue = registrationQueue(throughProxy);
      proxy.cutAfterCommit();
      const [a, b] = await Promise.all([issue(registration('3502')), issue(registration('3502'))]);
      expect(proxy.commitCuts()).toBe(1);
      expect([a!.registrationNumber, b!.registrationNumber].map(sequence).sort()).toEqual([1, 2]);
      const stored = await env.sql<{ n: bigint }[]>`select count(*) as n from registry_records where record_id in ${env.sql([a!.recordId, b!.recordId])}`;
      expect(Number(stored[0]!.n)).toBe(2);
      // Nothing was issued a second time: the office's counter stands at the two numbers given.
      const [counter] = await env.sql<{ last_sequence: number }[]>`select last_sequence from registration_counters where office_code = '3502'`;
      expect(counter!.last_sequence).toBe(2);
    } finally {
      await throughProxy.end({ timeout: 1 });
      await proxy.close();
    }
  });
});

describe('registration numbers foreseen by an API process', () => {
  const counterOf = async (office: string) =>
    (await env.sql<{ last_sequence: number }[]>`select last_sequence from registration_counters where office_code = ${office}`)[0]?.last_sequence;

  it('takes the number of a registration of an office it foresees in the statement that writes it', async () => {
    const issue = registrationQueue(env.sql, { maxInFlight: 1 });
    for (let i = 0; i < 3; i++) await issue(registration('2601'));
    const holder = await env.sql.reserve();
    try {
      await holder`begin`;
      await holder`select 1 from registration_counters where office_code = '2601' for update`;
      const fourth = issue(registration('2601'));
      let waiting: { query: string }[] = [];
      while (waiting.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        // Outside the holder's transaction, where pg_stat_activity would answer its first snapshot.
        waiting = await env.sql<{ query: string }[]>`select query from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
      }
      expect(waiting[0]!.query).toContain('numbers_taken');
      await holder`commit`;
      expect(sequence((await fourth).registrationNumber)).toBe(4);
    } finally {
      holder.release();
    }
  });

  it('is refused by the database when the numbers are not the counter\'s, and nothing of the batch is kept', async () => {
    await issueRegistrations(env.sql, [registration('2602'), registration('2602')]);
    const r = registration('2602');
    const year = yearInTashkent();
    // Foreseen as number 5, where the counter stands at 2: numbers 3 and 4 would be a gap.
    const rows: RegistrationRows[] = [
      {
        version: prepareRecordVersion({ recordId: r.recordId, kind: 'birth', data: { registration: { number: `2602-${year}-000005` } } }),
        record: { recordId: r.recordId, kind: 'birth', office: '2602', year, sequence: 5, registrationNumber: `2602-${year}-000005`, birthIdentity: null },
        people: r.people,
        audit: r.audit,
      },
    ];
    const write = pipelinedTransaction(env.sql, async (tx) => ({ last: insertRegistrations(tx, rows, { year, counts: new Map([['2602', 1]]), first: new Map([['2602', 5]]) }), result: null }));
    await expect(write).rejects.toMatchObject({ code: 'CR001' });
    expect(await counterOf('2602')).toBe(2);
    expect(await findIssued(env.sql, [r.recordId])).toEqual(new Map());
  });

  it('numbers the registrations of two processes sharing an office without a gap or a number given twice', async () => {
    const other = connectDatabase(env.config, { max: 4 });
    try {
      const here = registrationQueue(env.sql, { maxInFlight: 1 });
      const there = registrationQueue(other, { maxInFlight: 1 });
      const issued = [];
      // Each process foresees the office after its own registrations, then finds the other took the numbers.
      for (const [n, issue] of [[3, here], [3, there], [2, here], [4, there], [3, here]] as const) {
        for (let i = 0; i < n; i++) issued.push(await issue(registration('2603')));
      }
      issued.push(...(await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? here : there)(registration('2603'))))));
      expect(issued.map((i) => sequence(i.registrationNumber)).sort((a, b) => a - b)).toEqual(Array.from({ length: 55 }, (_, i) => i + 1));
      expect(await counterOf('2603')).toBe(55);
    } finally {
      await other.end({ timeout: 1 });
    }
  });
});
