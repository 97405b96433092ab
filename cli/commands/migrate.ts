/**
 * `crvs db migrate`: applies pending schema migrations (also done at every start).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { connectDatabase, pingDatabase } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { action, report } from '../report.ts';

export function registerDatabase(program: Command): void {
  const db = program.command('db').description('database administration');
  db.command('migrate')
    .description('apply pending schema migrations')
    .option('--json', 'print the result as JSON')
    .action(
      action(async () => {
        const sql = connectDatabase(loadConfig(), { max: 1, applicationName: 'crvs-migrate' });
        try {
          await pingDatabase(sql);
          const applied = await migrate(sql);
          return report({ applied }, applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
        } finally {
          await sql.end({ timeout: 5 });
        }
      }),
    );
}
