/**
 * @module
 * A transaction in as few round trips as its body waits for answers, where postgres.js's
 * `sql.begin` takes four (BEGIN, the body, the last statement, COMMIT, each waiting for the answer
 * before it): BEGIN travels with the body's first statement, and COMMIT right behind the body's last
 * statement; a body that waits for nothing (a batch numbered from the forecast) is one round trip,
 * BEGIN, its statement and COMMIT together. Registrations hold their offices' counter rows for the
 * whole transaction, so every round trip saved is throughput per office; and every write to the
 * socket saved is CPU taken from PostgreSQL on the same machine.
 *
 * Why COMMIT may follow the last statement without waiting for its answer: PostgreSQL answers
 * COMMIT in a transaction where a statement failed with ROLLBACK, so a failed last statement takes
 * the whole transaction with it (and its error is what the caller gets). What must never happen is
 * a last statement that fails *before it reaches the server* (postgres.js serialising its
 * parameters) while the COMMIT does reach it: so the last statement is built by the caller with
 * its parameters already serialised (strings), and is sent before COMMIT is even created.
 */
import type { PendingQuery, Row } from 'postgres';
import { connectionLost, type Sql } from '../../database/client.ts';
import type { Db } from '../../ledger/record-versions.ts';

export interface Finished<T> {
  /** The transaction's last statement, not sent yet; COMMIT follows it at once. */
  last: PendingQuery<Row[]>;
  result: T;
}

/**
 * Runs `body` in a transaction on a connection of its own, then its `last` statement and COMMIT.
 * Any failure rolls the whole transaction back and is thrown.
 */
export async function pipelinedTransaction<T>(sql: Sql, body: (tx: Db) => Promise<Finished<T>>): Promise<T> {
  const tx = await sql.reserve();
  // The connection goes back to the pool only when it is known to be idle, outside a transaction.
  // One that broke meanwhile was already taken back by postgres.js (to be reconnected on demand).
  let idle = false;
  try {
    // BEGIN without waiting: postgres.js sends a reserved connection's queries in order, so it
    // reaches the server before the body's statements. It cannot fail on a live connection, and
    // on a dead one nothing after it can run either; its answer is awaited with the COMMIT's (and
    // its failure marked handled now, so that it is not reported as unhandled while the body runs).
    const begun = tx`begin`.execute();
    begun.catch(() => {});
    const { last, result } = await body(tx);
    await Promise.all([begun, last.execute(), tx`commit`.execute()]);
    idle = true;
    return result;
  } catch (error) {
    // A lost connection is not written to again: postgres.js has taken it back already, and a
    // ROLLBACK on it could only fail (before patches/postgres+3.4.9.patch, it ended the process:
    // porsager/postgres#1208).
    if (!connectionLost(error)) {
      idle = await tx`rollback`.then(
        () => true,
        () => false,
      );
    }
    throw error;
  } finally {
    if (idle) tx.release();
  }
}
