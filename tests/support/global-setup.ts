/**
 * Starts the real services the tests run against, once per `vitest run`:
 *  - PostgreSQL: `TEST_DATABASE_URL` if set (CI starts Debian's server with infra/postgres.sh),
 *    else a server started here with infra/postgres.sh in a temporary directory;
 *  - an S3-compatible store (s3rver over HTTP) unless `TEST_S3_ENDPOINT` is set;
 *  - an EVM JSON-RPC node (Anvil) unless `TEST_CHAIN_RPC_URL` is set.
 * Each test file then creates its own database, bucket and contract (tests/support/services.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import S3rver from 's3rver';
import { startAnvil } from '../../services/embedded/chain.ts';
import { freePort } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    services: { databaseUrl: string; s3Endpoint: string; chainRpcUrl: string };
  }
}

export default async function setup(project: TestProject) {
  const cleanups: (() => Promise<void> | void)[] = [];

  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const dir = path.join(tmpdir(), 'crvs-test-postgres');
    const port = String(process.env.TEST_POSTGRES_PORT ?? 55432);
    databaseUrl = execFileSync('infra/postgres.sh', ['start', dir, port], { encoding: 'utf8' }).trim();
  }

  let s3Endpoint = process.env.TEST_S3_ENDPOINT;
  if (!s3Endpoint) {
    const directory = mkdtempSync(path.join(tmpdir(), 'crvs-test-s3-'));
    const port = await freePort();
    const s3 = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
    await s3.run();
    s3Endpoint = `http://127.0.0.1:${port}`;
    cleanups.push(() => new Promise<void>((resolve) => s3.close(() => resolve())));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  }

  let chainRpcUrl = process.env.TEST_CHAIN_RPC_URL;
  if (!chainRpcUrl) {
    const anvil = await startAnvil({ port: await freePort() });
    chainRpcUrl = anvil.rpcUrl;
    cleanups.push(anvil.stop);
  }

  project.provide('services', { databaseUrl, s3Endpoint, chainRpcUrl });
  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
