/**
 * `crvs archive export --json` into a reader that stops early (`| head`), as the real command.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';

const node = path.resolve('node_modules/.bin/node');

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  // Enough documents (about 2 MB of export) to fill any pipe long before the export ends.
  await env.sql`
    insert into archive_documents (id, original_sha256, source_file, kind, language, pages, ocr_text, ocr_text_sha256,
      fields, review_status, objects, version, commitment, search_text)
    select gen_random_uuid(), encode(sha256(i::text::bytea), 'hex'), 'box/' || i || '.jpg', 'birth', 'rus', 1, repeat('Юсупов ', 300),
      encode(sha256(i::text::bytea), 'hex'), '{}'::jsonb, 'not-needed', '[]'::jsonb, 1, '\\x00'::bytea, 'yusupov'
    from generate_series(1, 1000) as i`;
});
afterAll(() => env.close());

describe('crvs archive export --json | head -c 10', () => {
  it('stops quietly when the reader closes its end of the pipe', async () => {
    const child = spawn(node, ['cli/crvs.mjs', 'archive', 'export', '--json'], { env: { ...process.env, ...env.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Like `head -c 10`: read the first bytes, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
