/**
 * @module
 * The embedded S3-compatible object store: s3rver, keeping objects as files under
 * `DATA_DIR/objects` and answering the S3 REST API on loopback, so the pipeline's
 * `@aws-sdk/client-s3` code is the same as against AWS S3, MinIO or Ceph.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import S3rver from 's3rver';
import type { Config } from '../config/env.ts';
import { ServiceUnavailableError } from '../errors.ts';

export interface EmbeddedObjectStore {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startEmbeddedObjectStore(config: Config): Promise<EmbeddedObjectStore> {
  const directory = path.join(config.dataDir, 'objects');
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: config.objectStore.embeddedPort,
    directory,
    silent: true,
    configureBuckets: [{ name: config.objectStore.bucket, configs: [] }],
  });
  try {
    await portFree(config.objectStore.embeddedPort);
    await server.run();
  } catch (error) {
    throw new ServiceUnavailableError(
      'embedded object store',
      `cannot listen on 127.0.0.1:${config.objectStore.embeddedPort} (${(error as Error).message}); is another crvs running? set EMBEDDED_S3_PORT`,
      error,
    );
  }
  return {
    endpoint: config.objectStore.endpoint,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Rejects when the port is taken. s3rver's own listen cannot: it passes its callback to
 * `server.listen`, which calls it only on success, and the 'error' it emits instead has no
 * listener, which ends the process with a stack trace rather than a one-line reason.
 */
function portFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once('error', reject)
      .listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

