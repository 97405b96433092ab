/**
 * `crvs token create|revoke|list`: bearer tokens of the registry API. A token is printed once, at
 * creation; only its SHA-256 is stored. Each change is written to the audit trail with the
 * operating-system user and host that made it.
 */
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { connectDatabase, pingDatabase, type Sql } from '../../services/database/client.ts';
import { ROLES, type Role } from '../../services/access/roles.ts';
import { createToken, listTokens, revokeToken, type TokenRecord } from '../../services/access/tokens.ts';
import { recordAudit } from '../../services/audit-trail/trail.ts';
import { action, report, UsageError } from '../report.ts';

async function withDatabase<T>(run: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = connectDatabase(loadConfig(), { max: 1, applicationName: 'crvs-token' });
  try {
    await pingDatabase(sql); // "database is unreachable", not a bare socket error
    return await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function operator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const audit = (sql: Sql, route: string, path: string, status: number) =>
  recordAudit(sql, { requestId: null, actor: null, actorName: operator(), method: 'CLI', route, path, status, clientAddress: hostname(), userAgent: 'crvs' });

const describe = (t: TokenRecord) => `${t.name} (${t.role}${t.office ? `, office ${t.office}` : ''}) id ${t.id}`;
const json = (t: TokenRecord) => ({ ...t, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null });

export function registerToken(program: Command): void {
  const token = program.command('token').description('bearer tokens of the registry API (printed once, stored as a SHA-256 hash)');

  token
    .command('create')
    .description('create a token and print it (the only time it is shown)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'who or what holds the token (unique among active tokens)')
    .option('--office <code>', 'registry office code (4 digits); required for a registrar')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: { role: string; name: string; office?: string }) => {
        if (!(ROLES as readonly string[]).includes(options.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`, 'role');
        return withDatabase(async (sql) => {
          const { token: secret, record } = await createToken(sql, { name: options.name, role: options.role as Role, office: options.office });
          await audit(sql, 'crvs token create', `token create --role ${record.role}${record.office ? ` --office ${record.office}` : ''} --name ${record.name}`, 201);
          return report(
            { ...json(record), token: secret },
            `created token ${describe(record)}\nkeep it now: it is stored only as a hash and cannot be shown again\n${secret}`,
          );
        });
      }),
    );

  token
    .command('revoke')
    .description('revoke a token by id, or the active token with --name')
    .argument('[id]', 'token id')
    .option('--name <name>', 'revoke the active token with this name')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (id: string | undefined, options: { name?: string }) => {
        if ((id === undefined) === (options.name === undefined)) throw new UsageError('give either a token id or --name, not both');
        return withDatabase(async (sql) => {
          const record = await revokeToken(sql, id !== undefined ? { id } : { name: options.name! });
          await audit(sql, 'crvs token revoke', `token revoke ${record.id}`, 200);
          return report(json(record), `revoked token ${describe(record)}`);
        });
      }),
    );

  token
    .command('list')
    .description('list tokens (never their secret)')
    .option('--all', 'include revoked tokens')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: { all?: boolean }) =>
        withDatabase(async (sql) => {
          const tokens = await listTokens(sql, { includeRevoked: options.all === true });
          const lines = tokens.map((t) => `${t.id}  ${t.role.padEnd(9)}  ${(t.office ?? '-').padEnd(4)}  ${t.revokedAt ? 'revoked ' : 'active  '}  ${t.name}`);
          return report(tokens.map(json), lines.length ? lines.join('\n') : 'no tokens');
        }),
      ),
    );
}
