/**
 * Test support for the ingest tests: the real `crvs` command in child processes, folders of
 * corpus-dev scans laid out as an archivist would hand them over, and for ingests run in the test's
 * own process, their options and an object store whose commands the test can see or redirect.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../services/config/env.ts';
import type { ObjectStore } from '../../services/objectstore/client.ts';
import type { IngestOptions } from './run.ts';

// Real path: the manifest reader resolves links, and so must the expectations.
export const CORPUS = realpathSync(path.resolve('../shared/corpus-dev'));
const node = path.resolve('node_modules/.bin/node');

export interface CrvsResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `crvs ARGS` to the end. */
export function crvs(args: string[], env: Record<string, string>): Promise<CrvsResult> {
  return new Promise((resolve) => {
    execFile(node, ['cli/crvs.mjs', ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Starts `crvs ARGS` and leaves it running. */
export function startCrvs(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(node, ['cli/crvs.mjs', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function exited(child: ChildProcess): Promise<CrvsResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })));
}

const made: string[] = [];

/** A fresh temporary folder, removed by {@link removeTempFolders}. */
export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempFolder} and {@link scanFolder} so far (a test file's `afterAll`). */
export function removeTempFolders(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh folder holding the given corpus-dev files (paths relative to corpus-dev, kept as they are). */
export function scanFolder(files: string[]): string {
  const dir = tempFolder('crvs-scans-');
  for (const file of files) {
    mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    copyFileSync(path.join(CORPUS, file), path.join(dir, file));
  }
  return dir;
}

/** Every bad input of corpus-dev (not its expect.json). */
export const BAD_FILES = ['bad/blank.jpg', 'bad/copy-of-scan.jpg', 'bad/empty.jpg', 'bad/huge.png', 'bad/notes.png', 'bad/register.pdf', 'bad/truncated.jpg'];

/** The options of an ingest run in the test's process: Russian, one slot, no progress bar. */
export function inProcessIngest(config: Config, options: Partial<IngestOptions> = {}): IngestOptions {
  return {
    languages: 'rus',
    kind: null,
    concurrency: 1,
    reviewThreshold: 0.7,
    leaseSeconds: 30,
    process: true,
    tessdataDir: config.ocr.tessdataDir,
    showProgress: false,
    ...options,
  };
}

/** `store`, with each command shown to `route` first, which may send it to another client instead. */
export function routedStore(store: ObjectStore, route: (command: unknown) => S3Client | void): ObjectStore {
  const client = { send: (command: unknown) => (route(command) ?? store.client).send(command as never) };
  return { bucket: store.bucket, client: client as unknown as S3Client };
}
