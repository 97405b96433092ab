/**
 * The progress bar on a terminal, in a child process of its own: it must not leave the terminal
 * without a cursor or line wrap, however the process ends.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const node = path.resolve('node_modules/.bin/node');

/** A bar on a stand-in terminal that writes to stdout, then Ctrl-C handled as `crvs ingest` does. */
const INTERRUPTED_RUN = `
import { Writable } from 'node:stream';
import { writeSync } from 'node:fs';
import { progressBar } from './scanner-pipeline/ingest/progress.ts';
const terminal = Object.assign(new Writable({ write(chunk, _encoding, done) { writeSync(1, chunk); done(); } }), { isTTY: true, columns: 100 });
progressBar({ enabled: true, totalFiles: 10, stream: terminal });
process.once('SIGINT', () => process.exit(130));
setTimeout(() => process.kill(process.pid, 'SIGINT'), 200);
`;

describe('the ingest progress bar', () => {
  it('gives the terminal its cursor and line wrap back when the ingest is interrupted', async () => {
    const { stdout } = await promisify(execFile)(node, ['--input-type=module', '-e', INTERRUPTED_RUN]).catch((error: { stdout: string; code: number }) => {
      expect(error.code).toBe(130);
      return error;
    });
    expect(stdout).toContain('\x1b[?25l');
    expect(stdout).toContain('\x1b[?7l');
    const hidden = Math.max(stdout.lastIndexOf('\x1b[?25l'), stdout.lastIndexOf('\x1b[?7l'));
    expect(stdout.indexOf('\x1b[?25h', hidden)).toBeGreaterThan(hidden);
    expect(stdout.indexOf('\x1b[?7h', hidden)).toBeGreaterThan(hidden);
  });
});
