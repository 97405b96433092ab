/**
 * @module
 * The embedded PostgreSQL: PGlite (Postgres compiled to WASM) persisted under `DATA_DIR/postgres`,
 * served over the PostgreSQL wire protocol on loopback, so that every part talks to it with the
 * same postgres.js client as to a real server.
 *
 * PGlite is a single-connection database; pglite-socket queues queries from several sockets onto
 * it. Our processes therefore use one connection each (see `connectDatabase`), which keeps each
 * transaction on its own socket. This is for a one-machine start, not for production load.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Config } from '../config/env.ts';
import { ServiceUnavailableError } from '../errors.ts';

export interface EmbeddedDatabase {
  url: string;
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
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
