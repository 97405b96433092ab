import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { listenOn, type Sql } from '../database/client.ts';
import { authenticate, cachedAuthenticator, createToken, revokeToken } from './tokens.ts';

let env: TestEnvironment;
let other: Sql;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  // Another process's connection, as `crvs token revoke` would have.
  other = postgres(env.config.database.url, { max: 1, onnotice: () => {} }) as unknown as Sql;
});
afterAll(async () => {
  await other.end();
  await env.close();
});

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('bearer tokens', () => {
  it('are crvs_ and 43 base64url characters, and authenticate as their role and office', async () => {
    const { token, record } = await createToken(env.sql, { name: 'Chust registrar', role: 'registrar', office: '1402' });
    expect(token).toMatch(/^crvs_[A-Za-z0-9_-]{43}$/);
    expect(await authenticate(env.sql, token)).toEqual({ tokenId: record.id, name: 'Chust registrar', role: 'registrar', office: '1402' });
  });

  it('do not authenticate when malformed, unknown or revoked', async () => {
    const { token, record } = await createToken(env.sql, { name: 'Short-lived', role: 'auditor' });
    await revokeToken(env.sql, { id: record.id });
    expect(await authenticate(env.sql, token)).toBeUndefined();
    expect(await authenticate(env.sql, `${token}x`)).toBeUndefined();
    expect(await authenticate(env.sql, `crvs_${'B'.repeat(43)}`)).toBeUndefined();
  });

  it('cannot be created for an office that does not exist', async () => {
    await expect(createToken(env.sql, { name: 'Ghost office', role: 'registrar', office: '0000' })).rejects.toMatchObject({ code: 'validation-failed', field: 'office' });
  });
});

describe('the token cache of an API process', () => {
  it('stops accepting a token revoked elsewhere at once when it listens for revocations', async () => {
    const cached = cachedAuthenticator(env.sql, { ttlMs: 60_000, listen: listenOn(env.sql) });
    const { token, record } = await createToken(env.sql, { name: 'Listening desk', role: 'archivist' });
    expect(await cached(token)).toMatchObject({ tokenId: record.id });
    await new Promise((r) => setTimeout(r, 200)); // LISTEN is in place
    await revokeToken(other, { name: 'Listening desk' });
    expect(await eventually(async () => (await cached(token)) === undefined, 2_000)).toBeLessThan(2_000);
  });

  it('stops accepting a revoked token within its time to live when it does not listen', async () => {
    const cached = cachedAuthenticator(env.sql, { ttlMs: 300 });
    const { token } = await createToken(env.sql, { name: 'Deaf desk', role: 'archivist' });
    expect(await cached(token)).toBeDefined();
    await revokeToken(other, { name: 'Deaf desk' });
    await eventually(async () => (await cached(token)) === undefined, 1_000);
  });

  it('forgets a token revoked in the same process at once', async () => {
    const cached = cachedAuthenticator(env.sql, { ttlMs: 60_000 });
    const { token, record } = await createToken(env.sql, { name: 'Same process', role: 'archivist' });
    expect(await cached(token)).toBeDefined();
    await revokeToken(env.sql, { id: record.id });
    cached.forget(record.id);
    expect(await cached(token)).toBeUndefined();
  });
});
