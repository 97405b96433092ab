/**
 * @module
 * Who may come in, and what is written down: bearer-token authentication (RFC 6750), permission
 * checks, and the audit trail of every request that could change something.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RegistryError } from '../../errors.ts';
import type { Sql } from '../../database/client.ts';
import { authenticate, type Authenticator } from '../../access/tokens.ts';
import { assertCan, type Permission, type Principal } from '../../access/roles.ts';
import { recordAudit, type AuditEntry } from '../../audit-trail/trail.ts';
import type { RegistryEnv } from '../context.ts';
import type { FailedAuthentications } from './failed-authentication.ts';
import { routePattern } from './observe.ts';

export interface BearerAuthOptions {
  sql: Sql;
  /** A caching authenticator (access/tokens.ts); default: ask the database every time. */
  authenticate?: Authenticator;
  /** Counts refusals per client address; past its limit they are 429 and not audited one by one. */
  failures?: FailedAuthentications;
}

/** `Authorization: Bearer crvs_...`; anything else is 401 with `WWW-Authenticate: Bearer`. */
export const bearerAuth = (options: BearerAuthOptions): MiddlewareHandler<RegistryEnv> => {
  const check = options.authenticate ?? ((token: string) => authenticate(options.sql, token));
  return async function bearerAuth(c, next) {
    const refuse = (reason: string) => options.failures?.refuse(c, reason) ?? new RegistryError('unauthenticated', reason);
    const header = c.req.header('authorization');
    const match = header ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
    if (!match) throw refuse('send a bearer token: Authorization: Bearer crvs_...');
    const principal = await check(match[1]!);
    if (!principal) throw refuse('the bearer token is unknown or revoked');
    c.set('principal', principal);
    await next();
  };
};

/** Refuses (403) a principal whose role lacks `permission`, before the request body is even read. */
export const requirePermission = (permission: Permission): MiddlewareHandler<RegistryEnv> =>
  async function requirePermission(c, next) {
    assertCan(c.get('principal'), permission);
    await next();
  };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the audit trail records about the request in `c`, with the given outcome. */
export function auditEntry(c: Context<RegistryEnv>, status: number, recordId?: string | null): AuditEntry {
  let clientAddress: string | null = null;
  try {
    clientAddress = getConnInfo(c).remote.address ?? null;
  } catch {
    // In-process requests (tests, `app.request`) have no socket.
  }
  const route = routePattern(c);
  return {
    requestId: c.get('requestId') ?? null,
    actor: (c.get('principal') as Principal | undefined) ?? null,
    method: c.req.method,
    route,
    path: c.req.path,
    recordId: recordId ?? c.get('auditRecordId') ?? (route.startsWith('/v1/records/:id') ? (c.req.param('id') ?? null) : null),
    status,
    clientAddress,
    // Recorded as sent, not trusted: it is the client's claim, useful behind a known proxy.
    forwardedFor: c.req.header('x-forwarded-for') ?? null,
    userAgent: c.req.header('user-agent') ?? null,
  };
}

/**
 * Says that the handler's own transaction wrote the audit entry (so that a registration and the
 * record of who made it commit together or not at all). Call it once that transaction committed;
 * if it rolled back, the middleware records the failure instead.
 */
export function markAudited(c: Context<RegistryEnv>): void {
  c.set('audited', true);
}

/** Every request that could change something is recorded with its outcome, refused ones included. */
export const auditTrail = (options: { sql: Sql }): MiddlewareHandler<RegistryEnv> =>
  async function auditTrail(c, next) {
    await next();
    if (SAFE_METHODS.has(c.req.method) || c.get('audited')) return;
    // Refused without a valid token, past the address's limit (failed-authentication.ts): logged, not written.
    if (c.res.status === 429 && !c.get('principal')) return;
    const entry = auditEntry(c, c.res.status);
    // A malformed id in the path is recorded as a path only: the column holds UUIDs.
    if (entry.recordId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(entry.recordId)) entry.recordId = null;
    try {
      await recordAudit(options.sql, entry);
    } catch (err) {
      c.get('log').error({ err, entry }, 'audit trail: the entry could not be written');
    }
  };
