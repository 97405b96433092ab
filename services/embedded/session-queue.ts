/**
 * @module
 * The one PGlite session behind the embedded database's socket, lent to one connection at a time
 * for as long as that connection's protocol state lives in it.
 *
 * PGlite is a single session; pglite-socket 0.2.17 queues the messages of every connection onto it
 * and, outside a transaction, hands it over between any two messages. But the extended query
 * protocol keeps the unnamed statement and portal until the Sync that ends the sequence
 * (PostgreSQL documentation, 55.2.3 "Extended Query"), so a Parse/Bind/Execute/Sync of the API could
 * run against a CLI command's portal: `portal "" does not exist`, or the other connection's rows.
 * And one message that failed inside PGlite stopped its queue for good. Both are
 * electric-sql/pglite#1046 (fix proposed in the open PR #977); this queue takes the place of
 * pglite-socket's own (the server's `queryQueue`) until a release fixes them.
 *
 * A connection keeps the session from its first message until the session is ready for a query
 * again and outside a transaction: after a Sync, a simple Query or a Terminate. Meanwhile the
 * messages of other connections wait, in order.
 *
 * The serving process itself can LISTEN on the session ({@link SessionQueue.listen}), in its turn
 * like a connection; the notifications are read out of whatever the session answers
 * (notifications.ts).
 */
import type { PGlite } from '@electric-sql/pglite';
import { listenMessage, NotificationReader } from './notifications.ts';

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
/** A startup message begins with its length, whose first byte is 0 (no message type is). */
const STARTUP = 0x00;
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);
/** Holds the session for good: no connection has this id. */
const ABANDONED = -1;
/** The serving process's own messages (pglite-socket numbers its connections from 1). */
const SERVER = 0;

type Session = Pick<PGlite, 'execProtocolRawStream' | 'runExclusive' | 'isInTransaction' | 'exec'>;

interface Waiting {
  handlerId: number;
  message: Uint8Array;
  onData(data: Uint8Array): void;
  resolve(bytes: number): void;
  reject(error: unknown): void;
}

/** The interface of pglite-socket's QueryQueueManager, which its handlers call. */
export class SessionQueue {
  readonly #db: Session;
  #waiting: Waiting[] = [];
  #running = false;
  /** The connection the session is lent to, or null when it is free. */
  #holder: number | null = null;
  /** Connections that went away while holding the session. */
  readonly #departed = new Set<number>();
  readonly #notifications: NotificationReader | undefined;

  /** `onNotification` hears every notification the session gets on the channels it {@link listen}s to. */
  constructor(db: Session, options: { onNotification?: (channel: string, payload: string) => void } = {}) {
    this.#db = db;
    this.#notifications = options.onNotification && new NotificationReader(options.onNotification);
  }

  /** Makes the session listen on `channel`, between the transactions of the connections. */
  async listen(channel: string): Promise<void> {
    let answer = Buffer.alloc(0);
    await this.enqueue(SERVER, listenMessage(channel), (data) => (answer = Buffer.concat([answer, data])));
    // An ErrorResponse ('E') in place of CommandComplete: say why, in its message field ('M').
    if (answer[0] === 0x45) {
      const text = answer.toString('utf8', 5);
      const message = text.split('\0').find((field) => field.startsWith('M'))?.slice(1);
      throw new Error(`LISTEN ${channel} failed: ${message ?? 'error'}`);
    }
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ handlerId, message, onData, resolve, reject });
      void this.#run();
    });
  }

  getQueueLength(): number {
    return this.#waiting.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#waiting = this.#waiting.filter((w) => {
      if (w.handlerId === handlerId) w.reject(new Error('Handler disconnected'));
      return w.handlerId !== handlerId;
    });
  }

  /**
   * A connection that went away holding the session: what it began is ended (a Sync for a half-sent
   * sequence, and for the error state of a failed one; a rollback for an open transaction) before
   * the session goes to anyone else, by the queue itself, after the message it may be running.
   */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#holder !== handlerId) return;
    this.#departed.add(handlerId);
    await this.#run();
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        if (this.#holder !== null && this.#departed.has(this.#holder)) {
          await this.#release(this.#holder);
          continue;
        }
        const index = this.#holder === null ? (this.#waiting.length ? 0 : -1) : this.#waiting.findIndex((w) => w.handlerId === this.#holder);
        // Nothing to do, or the holder's next message has not arrived yet: its enqueue resumes.
        if (index < 0) return;
        const [next] = this.#waiting.splice(index, 1) as [Waiting];
        this.#holder = next.handlerId;
        await this.#execute(next);
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * Ends what a departed connection began. If its transaction cannot be rolled back, the session is
   * never lent again: the next connection would run inside that transaction, and its COMMIT would
   * commit the other's half-done work.
   */
  async #release(handlerId: number): Promise<void> {
    await this.#db.runExclusive(() => this.#db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: (data) => this.#notifications?.read(data) })).catch(() => {});
    if (this.#db.isInTransaction()) await this.#db.exec('rollback').catch(() => {});
    this.#departed.delete(handlerId);
    this.#holder = this.#db.isInTransaction() ? ABANDONED : null;
  }

  /** Runs one message; who holds the session next is settled before its sender hears the answer. */
  async #execute(next: Waiting): Promise<void> {
    let bytes = 0;
    let failure: { error: unknown } | undefined;
    try {
      await this.#db.runExclusive(() =>
        this.#db.execProtocolRawStream(next.message, {
          onRawData: (data) => {
            bytes += data.length;
            this.#notifications?.read(data);
            next.onData(data);
          },
        }),
      );
    } catch (error) {
      // Its connection hears of it and goes away (which frees the session); the queue goes on.
      failure = { error };
    }
    const type = next.message[0];
    const ready = (type === SYNC || type === QUERY || type === TERMINATE || type === STARTUP) && !this.#db.isInTransaction();
    if (ready) {
      this.#holder = null;
      this.#departed.delete(next.handlerId);
    }
    if (failure) next.reject(failure.error);
    else next.resolve(bytes);
  }
}
