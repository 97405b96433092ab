/**
 * @module
 * The services an archive command works against (PostgreSQL and the object store), opened once
 * and closed together.
 */
import type { Config } from '../../services/config/env.ts';
import { connectDatabase, pingDatabase, type Sql } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { connectObjectStore, ensureBucket, type ObjectStore } from '../../services/objectstore/client.ts';

export interface ArchiveServices {
  sql: Sql;
  store: ObjectStore;
  close(): Promise<void>;
}

/**
 * `writer`: this process writes (ingest, workers): apply pending migrations and create the bucket
 * if needed, as every writing process does at start. Readers only connect.
 */
export async function openArchive(config: Config, options: { applicationName: string; writer?: boolean; max?: number }): Promise<ArchiveServices> {
  const sql = connectDatabase(config, { applicationName: options.applicationName, max: options.max });
  const store = connectObjectStore(config);
  const close = async () => {
    await sql.end({ timeout: 5 });
    store.client.destroy();
  };
  try {
    await pingDatabase(sql);
    if (options.writer) {
      await migrate(sql);
      await ensureBucket(store);
    }
    return { sql, store, close };
  } catch (error) {
    await close();
    throw error;
  }
}
