/**
 * @module
 * The audit trail: who changed what, when and from where. One row per request that could change
 * something (whatever its outcome, so refused attempts are on record too) and per administrative
 * command. The table is append-only: triggers refuse UPDATE, DELETE and TRUNCATE (migration 0003).
 */
import type { Db } from '../ledger/record-versions.ts';
import type { Principal } from '../access/roles.ts';

export interface AuditEntry {
  requestId: string | null;
  actor: Principal | null;
  /** For a command line action, the operating-system user who ran it. */
  actorName?: string | null;
  method: string;
  /** The route pattern (`/v1/records/:id/corrections`) or the command (`crvs token create`). */
  route: string;
  path: string;
  recordId?: string | null;
  status: number;
  clientAddress?: string | null;
  forwardedFor?: string | null;
  userAgent?: string | null;
}

export interface AuditRow {
  id: bigint;
  occurredAt: Date;
  requestId: string | null;
  actorTokenId: string | null;
  actorName: string | null;
  actorRole: string | null;
  actorOffice: string | null;
  method: string;
  route: string;
  path: string;
  recordId: string | null;
  status: number;
  clientAddress: string | null;
  forwardedFor: string | null;
  userAgent: string | null;
}

// Header values are attacker-chosen: keep what an investigator needs, not unbounded text.
const clip = (value: string | null | undefined, max: number): string | null => (value == null ? null : value.slice(0, max));

/** The audit_trail row of an entry, with attacker-chosen text clipped (column names as keys). */
export function auditRow(entry: AuditEntry) {
  return {
    request_id: clip(entry.requestId, 255),
    actor_token_id: entry.actor?.tokenId ?? null,
    actor_name: clip(entry.actor?.name ?? entry.actorName, 100),
    actor_role: entry.actor?.role ?? null,
    actor_office: entry.actor?.office ?? null,
    method: clip(entry.method, 16),
    route: clip(entry.route, 200),
    path: clip(entry.path, 500),
    record_id: entry.recordId ?? null,
    status: entry.status,
    client_address: clip(entry.clientAddress, 100),
    forwarded_for: clip(entry.forwardedFor, 500),
    user_agent: clip(entry.userAgent, 500),
  };
}

/** One entry. Registrations write theirs inside their own statement (registry/records/store.ts). */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db`insert into audit_trail ${db(auditRow(entry))}`;
}

/** Newest first; `before` is the id to continue below (keyset pagination). */
export async function readAuditTrail(db: Db, options: { recordId?: string; limit?: number; before?: bigint } = {}): Promise<AuditRow[]> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const rows = await db<Record<string, unknown>[]>`
    select id, occurred_at, request_id, actor_token_id, actor_name, actor_role, actor_office, method, route, path,
           record_id, status, client_address, forwarded_for, user_agent
    from audit_trail
    where ${options.recordId ? db`record_id = ${options.recordId}` : db`true`}
      and ${options.before !== undefined ? db`id < ${String(options.before)}` : db`true`}
    order by id desc
    limit ${limit}`;
  return rows.map((r) => ({
    id: r.id as bigint,
    occurredAt: r.occurred_at as Date,
    requestId: r.request_id as string | null,
    actorTokenId: r.actor_token_id as string | null,
    actorName: r.actor_name as string | null,
    actorRole: r.actor_role as string | null,
    actorOffice: r.actor_office as string | null,
    method: r.method as string,
    route: r.route as string,
    path: r.path as string,
    recordId: r.record_id as string | null,
    status: r.status as number,
    clientAddress: r.client_address as string | null,
    forwardedFor: r.forwarded_for as string | null,
    userAgent: r.user_agent as string | null,
  }));
}
