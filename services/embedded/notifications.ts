/**
 * @module
 * Notifications (LISTEN/NOTIFY) of the embedded database, heard in the process that serves it.
 *
 * PGlite is one session shared by every connection (session-queue.ts), so a LISTEN of one
 * connection would hear, and hand to that connection alone, whatever the session was told. Instead
 * the process serving PGlite listens on the session itself and reads each NotificationResponse out
 * of the session's output, whichever connection it goes to: PostgreSQL delivers a notification
 * to a listening session right after the commit of the transaction that sent it (documentation,
 * NOTIFY), and on the embedded database that transaction ran on this very session. The connection
 * that sent it ignores the message, as postgres.js does with notifications it did not ask for.
 */

const NOTIFICATION_RESPONSE = 0x41; // 'A' (PostgreSQL documentation, 55.7 "Message Formats")

/**
 * Reads NotificationResponse messages out of a session's backend messages, given in pieces of any
 * size (a message may end in a later piece).
 */
export class NotificationReader {
  #rest: Buffer = Buffer.alloc(0);
  readonly #deliver: (channel: string, payload: string) => void;

  constructor(deliver: (channel: string, payload: string) => void) {
    this.#deliver = deliver;
  }

  read(piece: Uint8Array): void {
    const data = this.#rest.length ? Buffer.concat([this.#rest, piece]) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let at = 0;
    // Each message: a type byte, then its length (which counts itself but not the type byte).
    while (data.length - at >= 5) {
      const length = data.readInt32BE(at + 1);
      // A length that does not even count itself: the stream is not where a message starts (a
      // failed exchange left a piece behind). Drop what is held rather than read it as messages.
      if (length < 4) {
        this.#rest = Buffer.alloc(0);
        return;
      }
      const end = at + 1 + length;
      if (end > data.length) break;
      if (data[at] === NOTIFICATION_RESPONSE) this.#notification(data.subarray(at + 5, end));
      at = end;
    }
    // Kept as a copy: the caller may reuse the memory of `piece`.
    this.#rest = at === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(at));
  }

  /** Int32 process id, then the channel and the payload, each a NUL-terminated string. */
  #notification(body: Buffer): void {
    const channelEnd = body.indexOf(0, 4);
    const payloadEnd = body.indexOf(0, channelEnd + 1);
    if (channelEnd < 0 || payloadEnd < 0) return;
    this.#deliver(body.toString('utf8', 4, channelEnd), body.toString('utf8', channelEnd + 1, payloadEnd));
  }
}

/** A simple Query message (55.7) that listens on `channel`, quoted as an identifier. */
export function listenMessage(channel: string): Uint8Array {
  const text = Buffer.from(`LISTEN "${channel.replaceAll('"', '""')}"\0`);
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51; // 'Q'
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
