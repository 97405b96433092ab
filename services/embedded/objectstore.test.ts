import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tests/support/ports.ts';
import { loadConfig } from '../config/env.ts';
import { startEmbeddedObjectStore } from './objectstore.ts';

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'crvs-embedded-s3-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the embedded object store', () => {
  it('refuses to start on a port already taken, with a reason naming EMBEDDED_S3_PORT', async () => {
    const port = await freePort();
    const taken: Server = await new Promise((resolve) => {
      const s = createServer().listen(port, '127.0.0.1', () => resolve(s));
    });
    try {
      const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_S3_PORT: String(port) });
      await expect(startEmbeddedObjectStore(config)).rejects.toThrow(new RegExp(`cannot listen on 127.0.0.1:${port} \\(.*EADDRINUSE.*\\); is another crvs running\\? set EMBEDDED_S3_PORT`));
    } finally {
      taken.close();
    }
  });

  it('starts on a free port and stops', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_S3_PORT: String(await freePort()) });
    const store = await startEmbeddedObjectStore(config);
    expect((await fetch(store.endpoint)).status).toBeLessThan(500);
    await store.stop();
  });
});
