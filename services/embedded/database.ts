/**
 * @module
 * The embedded PostgreSQL: PGlite (Postgres compiled to WASM) persisted under `DATA_DIR/postgres`,
 * served over the PostgreSQL wire protocol on loopback, so that every part talks to it with the
 * same postgres.js client as to a real server.
 *
 * PGlite is a single-connection database; pglite-socket queues the messages of several sockets onto
 * it, through our {@link SessionQueue}, which lends the session to one connection for a whole query
 * or transaction. Our processes use one connection each (see `connectDatabase`). This is for a
 * one-machine start, not for production load.
 *
 * Notifications reach the process that serves the database ({@link EmbeddedDatabase.listen}), not
 * the connections: with one session, a connection's LISTEN would hear only what the session is told
 * while that connection holds it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Config } from '../config/env.ts';
import type { Listen } from '../database/client.ts';
import { ServiceUnavailableError } from '../errors.ts';
import { SessionQueue } from './session-queue.ts';

export interface EmbeddedDatabase {
  url: string;
  /** Hears, in this process, what any connection NOTIFYs on `channel` once its transaction commits. */
  listen: Listen;
  stop(): Promise<void>;
}

export async function startEmbeddedDatabase(config: Config): Promise<EmbeddedDatabase> {
  const dir = path.join(config.dataDir, 'postgres');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir, { extensions: { pg_trgm, unaccent } });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: config.database.embeddedPort,
    maxConnections: 8,
  });
  const queue = useSessionQueue(server, db);
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw new ServiceUnavailableError(
      'embedded database',
      `cannot listen on 127.0.0.1:${config.database.embeddedPort} (${(error as Error).message}); is another crvs running? set EMBEDDED_DATABASE_PORT`,
      error,
    );
  }
  return {
    url: config.database.url,
    listen: queue.listen,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Puts a {@link SessionQueue} in place of pglite-socket's own queue (its handlers take the server's
 * `queryQueue` when a connection arrives). Refuses a pglite-socket that no longer has one, rather
 * than run with the queue that mixes connections up. Answers how this process hears notifications.
 */
export function useSessionQueue(server: PGLiteSocketServer, db: PGlite): { listen: Listen } {
  const internals = server as unknown as { queryQueue?: unknown };
  if (!internals.queryQueue) throw new Error('pglite-socket has no queryQueue to replace: check services/embedded/session-queue.ts against this version');
  const channels = new Map<string, { hearers: Set<(payload: string) => void>; listening: Promise<void> }>();
  const queue = new SessionQueue(db, { onNotification: (channel, payload) => channels.get(channel)?.hearers.forEach((hear) => hear(payload)) });
  internals.queryQueue = queue;
  return {
    async listen(channel, onPayload) {
      let heard = channels.get(channel);
      if (!heard) {
        heard = { hearers: new Set(), listening: queue.listen(channel) };
        channels.set(channel, heard);
        heard.listening.catch(() => channels.delete(channel));
      }
      heard.hearers.add(onPayload);
      await heard.listening;
    },
  };
}
