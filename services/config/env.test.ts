import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { VARIABLES, loadConfig } from './env.ts';

describe('configuration', () => {
  it('runs the embedded default when nothing is set', () => {
    const config = loadConfig({});
    expect(config.database.embedded).toBe(true);
    expect(config.objectStore.embedded).toBe(true);
    expect(config.chain.embedded).toBe(true);
    expect(config.http.port).toBe(8080);
    expect(config.batch).toEqual({ maxRecords: 10_000, maxWaitMs: 5_000 });
  });

  it('uses the real services named by the environment', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db.example:5432/crvs', S3_ENDPOINT: 'http://minio:9000', CHAIN_RPC_URL: 'http://besu:8545' });
    expect(config.database).toMatchObject({ url: 'postgres://u@db.example:5432/crvs', embedded: false, poolMax: 10 });
    expect(config.objectStore).toMatchObject({ endpoint: 'http://minio:9000', embedded: false });
    expect(config.chain).toMatchObject({ rpcUrl: 'http://besu:8545', embedded: false });
  });

  it('serves the API from several processes only on a real database', () => {
    expect(loadConfig({ API_PROCESSES: '2', DATABASE_URL: 'postgres://u@db.example:5432/crvs' }).http.processes).toBe(2);
    expect(loadConfig({}).http.processes).toBe(1);
    expect(() => loadConfig({ API_PROCESSES: '2' })).toThrowError(/^API_PROCESSES: above 1 needs DATABASE_URL/);
    expect(() => loadConfig({ API_PROCESSES: '0', DATABASE_URL: 'postgres://u@db.example:5432/crvs' })).toThrowError(/^API_PROCESSES: /);
  });

  it('stops with a message naming the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(/^PORT: /);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x/y' })).toThrowError(/^DATABASE_URL: /);
    expect(() => loadConfig({ ANCHOR_PRIVATE_KEY: '0x1234' })).toThrowError(/^ANCHOR_PRIVATE_KEY: /);
  });

  it('limits the pixels of a scan page to SCAN_MAX_PIXELS, 100 megapixels by default', () => {
    expect(loadConfig({}).ocr.maxPixels).toBe(100_000_000);
    expect(loadConfig({ SCAN_MAX_PIXELS: '40000000' }).ocr.maxPixels).toBe(40_000_000);
    expect(() => loadConfig({ SCAN_MAX_PIXELS: '0' })).toThrowError(/^SCAN_MAX_PIXELS: /);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(8080);
  });

  it('lists every variable in the README table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(VARIABLES)) expect(readme, name).toContain(`| \`${name}\` |`);
  });
});
