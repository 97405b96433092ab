/**
 * @module
 * Bearer tokens: `crvs_` followed by 32 random bytes in base64url (RFC 4648 §5). The prefix lets
 * secret scanners and people recognise a leaked token. Only the SHA-256 of a token is stored, so the
 * database never holds a usable credential; the token itself is shown once, when it is created.
 * 32 random bytes make a token unguessable, so an unsalted fast hash is enough here (unlike passwords).
 */
import { hash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { RegistryError } from '../errors.ts';
import type { Db } from '../ledger/record-versions.ts';
import type { Listen, Sql } from '../database/client.ts';
import { ROLES, type Principal, type Role } from './roles.ts';

export const TOKEN_PREFIX = 'crvs_';
const TOKEN_SHAPE = /^crvs_[A-Za-z0-9_-]{43}$/;

export const TokenName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} .'ʻʼ’_@-]*$/u, 'letters, digits, spaces and . \' _ @ - only');
export const OfficeCode = z.string().regex(/^\d{4}$/, 'must be a 4-digit registry office code');

export const NewToken = z
  .strictObject({ name: TokenName, role: z.enum(ROLES), office: OfficeCode.optional() })
  .refine((t) => t.role !== 'registrar' || t.office !== undefined, { message: 'a registrar token needs an office', path: ['office'] });
export type NewToken = z.infer<typeof NewToken>;

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  office: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  office_code: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const toRecord = (r: TokenRow): TokenRecord => ({
  id: r.id,
  name: r.name,
  role: r.role,
  office: r.office_code,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer'); // one-shot: no Hash object per request
}

/** Creates a token; the returned `token` is the only time it exists outside its holder's hands. */
export async function createToken(db: Db, input: NewToken): Promise<{ token: string; record: TokenRecord }> {
  const parsed = NewToken.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RegistryError('validation-failed', `${issue.path.join('.') || 'token'}: ${issue.message}`, { field: issue.path.join('.') });
  }
  const { name, role, office } = parsed.data;
  if (office !== undefined) {
    const [known] = await db`select 1 from registry_offices where code = ${office}`;
    if (!known) throw new RegistryError('validation-failed', `office: no registry office has code ${office}`, { field: 'office' });
  }
  const token = generateToken();
  try {
    const [row] = await db<TokenRow[]>`
      insert into access_tokens (name, role, office_code, token_hash)
      values (${name}, ${role}, ${office ?? null}, ${hashToken(token)})
      returning id, name, role, office_code, created_at, revoked_at`;
    return { token, record: toRecord(row!) };
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new RegistryError('conflict', `an active token is already named "${name}"; revoke it or choose another name`, { field: 'name', cause: error });
    }
    throw error;
  }
}

/** Channel on which revocations are announced to running API processes (their token caches). */
export const REVOCATION_CHANNEL = 'crvs_token_revoked';

/**
 * Revokes the token with this id, or the active token with this name; revoking twice is refused.
 * The revocation is announced (NOTIFY, delivered on commit) so that API processes drop it at once.
 */
export async function revokeToken(db: Db, which: { id: string } | { name: string }): Promise<TokenRecord> {
  if ('id' in which && !z.uuid().safeParse(which.id).success) throw new RegistryError('not-found', `no active token with id ${which.id}`);
  const rows = await db<TokenRow[]>`
    with revoked as (
      update access_tokens set revoked_at = now()
      where ${'id' in which ? db`id = ${which.id}` : db`name = ${which.name}`} and revoked_at is null
      returning id, name, role, office_code, created_at, revoked_at
    )
    select revoked.*, pg_notify(${REVOCATION_CHANNEL}, revoked.id::text) from revoked`;
  const row = rows[0];
  if (!row) {
    const label = 'id' in which ? `id ${which.id}` : `name "${which.name}"`;
    throw new RegistryError('not-found', `no active token with ${label}`);
  }
  return toRecord(row);
}

export async function listTokens(db: Db, options: { includeRevoked?: boolean } = {}): Promise<TokenRecord[]> {
  const rows = await db<TokenRow[]>`
    select id, name, role, office_code, created_at, revoked_at from access_tokens
    where ${options.includeRevoked ? db`true` : db`revoked_at is null`}
    order by created_at, name`;
  return rows.map(toRecord);
}

/** The principal behind a presented token, or undefined when it is unknown, malformed or revoked. */
export async function authenticate(db: Db, token: string): Promise<Principal | undefined> {
  // Refuse what cannot be a token without asking the database.
  if (!TOKEN_SHAPE.test(token)) return undefined;
  return principalByHash(db, hashToken(token));
}

async function principalByHash(db: Db, hash: Buffer): Promise<Principal | undefined> {
  const [row] = await db<{ id: string; name: string; role: Role; office_code: string | null }[]>`
    select id, name, role, office_code from access_tokens where token_hash = ${hash} and revoked_at is null`;
  return row ? { tokenId: row.id, name: row.name, role: row.role, office: row.office_code } : undefined;
}

export interface TokenCacheOptions {
  /** How long a token found valid is trusted without asking the database again (default 5 s). */
  ttlMs?: number;
  maxEntries?: number;
  /**
   * Hears revocations, so that a token revoked anywhere (`crvs token revoke`, another API process)
   * stops working here at once rather than after `ttlMs`: `listenOn(sql)` on a real PostgreSQL, the
   * embedded database's own `listen` on PGlite.
   */
  listen?: Listen;
  onListenError?: (error: unknown) => void;
}

export interface Authenticator {
  (token: string): Promise<Principal | undefined>;
  /** Drops a token from the cache (it was revoked). */
  forget(tokenId: string): void;
}

/**
 * {@link authenticate} with a short memory of valid tokens, keyed by their hash: a request then
 * costs no database round trip for its token. Unknown tokens are never cached, so a revoked or
 * mistyped token is asked about every time.
 */
export function cachedAuthenticator(sql: Sql, options: TokenCacheOptions = {}): Authenticator {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { principal: Principal; until: number }>();

  const forget = (tokenId: string) => {
    for (const [key, entry] of cache) if (entry.principal.tokenId === tokenId) cache.delete(key);
  };
  if (options.listen) {
    options.listen(REVOCATION_CHANNEL, forget).catch((error: unknown) => options.onListenError?.(error));
  }

  const authenticator = async (token: string): Promise<Principal | undefined> => {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    // Hex straight from the one-shot hash: a Buffer per request costs more than the hash itself.
    const key = hash('sha256', token, 'hex');
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    const principal = await principalByHash(sql, Buffer.from(key, 'hex'));
    cache.delete(key);
    if (principal) {
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, { principal, until: Date.now() + ttlMs });
    }
    return principal;
  };
  return Object.assign(authenticator, { forget });
}
