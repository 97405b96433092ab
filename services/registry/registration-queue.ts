/**
 * @module
 * Group commit for births: registrations that arrive while earlier ones are being written are
 * issued together in one transaction (as a database does with its WAL), so the round trips and the
 * commit are shared while each keeps its own number, version and audit entry. Alone, a
 * registration is issued at once, in a transaction of its own. The transaction itself is
 * registrations.ts's.
 */
import { connectionLost, type Sql } from '../database/client.ts';
import { RegistryError } from '../errors.ts';
import { findIssued } from './records/store.ts';
import { issueEach, issueRegistrations, type Issued, type NewRegistration } from './registrations.ts';

export interface QueueOptions {
  /** Most registrations issued in one transaction. */
  maxBatch?: number;
  /**
   * Transactions in flight at once (default 4); registrations arriving meanwhile wait and go
   * together. A batch's statement runs on one PostgreSQL backend, one core: with more in flight the
   * batches are smaller and run side by side. Measured in same-run A/B (tests/bench, 64 connections,
   * 1 API process), 4 against 2: births/s +2 to +7.5% in four pairs and p99 as low or lower; +3.4
   * and -2% at 32 connections, the same at 16 (where fewer than minConcurrentBatch seldom wait).
   */
  maxInFlight?: number;
  /**
   * Fewest registrations for which a transaction starts beside one already in flight (default 8);
   * fewer wait for it to end and go with whatever arrives meanwhile. With nothing in flight, any
   * number starts at once. A transaction has a cost of its own (BEGIN, the office counters,
   * COMMIT and its WAL flush, the round trips): PostgreSQL spent about 0.6 ms of CPU per
   * registration issued alone, 0.25 ms in batches of 8 (one connection, tests/bench's machine),
   * and a free slot would otherwise mostly take batches of one.
   */
  minConcurrentBatch?: number;
}

interface Waiting {
  registration: NewRegistration;
  resolve(issued: Issued): void;
  reject(error: unknown): void;
}

/**
 * Group commit for registrations without a `before` step (births). Nothing waits for a timer:
 * registrations that arrive in the same turn of the event loop (requests read from the sockets
 * together) are issued together, at once if a slot is free; those arriving while the slots are
 * busy are issued together as soon as one frees. If a shared transaction fails, each of its
 * registrations is retried on its own, so one failure is never charged to the others; if its
 * session ended (a restart, a failover), what committed is looked up and the rest issued again.
 */
export function registrationQueue(sql: Sql, options: QueueOptions = {}): (registration: NewRegistration) => Promise<Issued> {
  const maxBatch = options.maxBatch ?? 64;
  const maxInFlight = options.maxInFlight ?? 4;
  const minConcurrentBatch = options.minConcurrentBatch ?? 8;
  const waiting: Waiting[] = [];
  /** Offices whose counter rows batches in flight hold, with how many batches hold each. */
  const held = new Map<string, number>();
  let inFlight = 0;

  /**
   * Each on its own, so that one registration's failure is never charged to the others; one after
   * the other, so that a failed batch never takes more connections than its slot.
   */
  const settleEach = async (batch: readonly Waiting[]) => {
    for (const w of batch) {
      await issueRegistrations(sql, [w.registration]).then(
        ([issued]) => w.resolve(issued!),
        (e: unknown) => w.reject(e),
      );
    }
  };

  /**
   * The session ended with the batch's outcome unknown (its COMMIT may have been carried out just
   * before): what committed is answered as issued, the rest is issued again on a new session. The
   * record ids make this safe, since a registration can only ever commit once under its id.
   */
  const recover = async (batch: readonly Waiting[], error: unknown): Promise<void> => {
    let issued: Awaited<ReturnType<typeof findIssued>>;
    try {
      issued = await findIssued(sql, batch.map((w) => w.registration.recordId));
    } catch {
      return batch.forEach((w) => w.reject(error));
    }
    const rest = batch.filter((w) => {
      const done = issued.get(w.registration.recordId);
      if (done) w.resolve(done);
      return !done;
    });
    // The lost session's COMMIT may still be finishing on the server: a re-issue that collides with
    // its record id is that registration, committed after all.
    await Promise.all(
      rest.map(async (w) => {
        try {
          const [again] = await issueRegistrations(sql, [w.registration]);
          w.resolve(again!);
        } catch (e) {
          const done = e instanceof RegistryError && e.code === 'conflict' ? (await findIssued(sql, [w.registration.recordId]).catch(() => undefined))?.get(w.registration.recordId) : undefined;
          if (done) w.resolve(done);
          else w.reject(e);
        }
      }),
    );
  };

  const settle = async (batch: Waiting[]): Promise<void> => {
    try {
      const outcomes = await issueEach(sql, batch.map((w) => w.registration));
      batch.forEach((w, i) => {
        const outcome = outcomes[i]!;
        if (outcome instanceof RegistryError) w.reject(outcome);
        else w.resolve(outcome);
      });
    } catch (error) {
      if (connectionLost(error)) return recover(batch, error);
      if (batch.length === 1) return batch[0]!.reject(error);
      await settleEach(batch);
    }
  };

  /**
   * The next batch: registrations, in arrival order, of offices no batch in flight holds. A
   * transaction keeps its offices' counter rows locked until its COMMIT is flushed, and a batch
   * sharing one waits for it on that row with all its other offices: the two run one after the
   * other (measured: 62 offices went no faster than one). Only when every waiting registration is
   * of an office held already (one busy office) does a batch start behind the one holding it, so
   * that it is ready the moment that one commits. Each office's registrations keep their order.
   */
  const nextBatch = (): Waiting[] | undefined => {
    const free = waiting.filter((w) => !held.has(w.registration.office.code));
    const batch = (free.length > 0 ? free : waiting).slice(0, maxBatch);
    if (batch.length === 0 || (inFlight > 0 && batch.length < minConcurrentBatch)) return undefined;
    const taken = new Set(batch);
    waiting.splice(0, waiting.length, ...waiting.filter((w) => !taken.has(w)));
    return batch;
  };

  const pump = (): void => {
    for (let batch; inFlight < maxInFlight && (batch = nextBatch()); ) {
      const offices = new Set(batch.map((w) => w.registration.office.code));
      offices.forEach((o) => held.set(o, (held.get(o) ?? 0) + 1));
      inFlight += 1;
      void settle(batch).finally(() => {
        offices.forEach((o) => (held.get(o) === 1 ? held.delete(o) : held.set(o, held.get(o)! - 1)));
        inFlight -= 1;
        pump();
      });
    }
  };

  let scheduled = false;
  return (registration) =>
    new Promise<Issued>((resolve, reject) => {
      waiting.push({ registration, resolve, reject });
      if (scheduled) return;
      // After the requests already read in this turn have reached here too.
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        pump();
      });
    });
}
