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
});
