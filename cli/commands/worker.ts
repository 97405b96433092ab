/**
 * `crvs worker anchor`: runs only the anchor worker, as its own process (production runs the API,
 * the anchor worker and the OCR workers separately), until Ctrl-C or SIGTERM.
 */
import type { Command } from 'commander';
import { connectDatabase, pingDatabase } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { startAnchorWorker } from '../../services/ledger/anchor-worker.ts';
import { runUntilStopped } from '../long-running.ts';

/** The `worker` group; other workers add their subcommand to the returned command. */
export function registerWorker(program: Command): Command {
  const worker = program.command('worker').description('run one background worker as its own process');
  registerAnchorWorker(worker);
  return worker;
}

function registerAnchorWorker(worker: Command): void {
  worker
    .command('anchor')
    .description('seal pending record versions into Merkle batches and anchor their roots on the chain, until stopped')
    .action(() =>
      runUntilStopped(async (config, logger) => {
        const sql = connectDatabase(config, { applicationName: 'crvs-anchor-worker' });
        await pingDatabase(sql);
        await migrate(sql); // concurrent starts apply each migration once (advisory lock)
        const running = startAnchorWorker(config, sql, logger);
        logger.info({ rpcUrl: config.chain.rpcUrl }, 'anchor worker started');
        return {
          async stop() {
            await running.stop();
            await sql.end({ timeout: 5 });
          },
        };
      }),
    );
}
