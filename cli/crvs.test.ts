import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const node = path.resolve('node_modules/.bin/node');

async function crvs(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(node, ['cli/crvs.mjs', ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the crvs command', () => {
  it('shows help and exits 0', async () => {
    const { code, stdout } = await crvs(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: crvs/);
  });

  it('exits 2 on an unknown command', async () => {
    expect((await crvs(['no-such-command'])).code).toBe(2);
  });

  it.each([
    [['ingest', '--concurrency', '0', '/tmp'], /^crvs: option '--concurrency <N>' argument '0' is invalid\. must be a positive integer \(see `crvs ingest --help`\)$/],
    [['ingest', '--kind', 'death', '/tmp'], /^crvs: option '--kind <KIND>' argument 'death' is invalid\. Allowed choices are birth, marriage\. \(see `crvs ingest --help`\)$/],
    [['ingest', '--bogus', '/tmp'], /^crvs: unknown option '--bogus' \(see `crvs ingest --help`\)$/],
  ])('refuses %j with a one-line reason and where to find the usage, exit 2', async (args, reason) => {
    const { code, stderr } = await crvs(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(reason)]);
  });

  it('exits 2 with a one-line reason naming a wrong variable', async () => {
    const { code, stderr } = await crvs(['db', 'migrate'], { DATABASE_URL: 'not a url' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^crvs: DATABASE_URL: /);
  });

  it('exits 2 with a one-line reason when the database cannot be reached', async () => {
    const { code, stderr } = await crvs(['db', 'migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/database is unreachable/);
  });

  it('says that `crvs start` serves the embedded database when a command cannot reach it', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL'));
    const { stderr } = await run(node, ['cli/crvs.mjs', 'token', 'list'], { env: { ...env, EMBEDDED_DATABASE_PORT: '1' } }).catch((e: { stderr: string }) => e);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(/^crvs: database is unreachable: .*served by `crvs start`: start it first, or set DATABASE_URL\)$/);
  });
});
