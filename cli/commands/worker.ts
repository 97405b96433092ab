/**
 * `crvs worker anchor`: runs only the anchor worker, as its own process (production runs the API,
 * the anchor worker and the OCR workers separately), until Ctrl-C or SIGTERM.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { connectDatabase, pingDatabase } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { startAnchorWorker } from '../../services/ledger/anchor-worker.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { EXIT_CANNOT_RUN, oneLine } from '../report.ts';

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
    .action(async () => {
      let logger = createLogger('info');
      try {
        const config = loadConfig();
        logger = createLogger(config.logLevel);
        const sql = connectDatabase(config, { applicationName: 'crvs-anchor-worker' });
        await pingDatabase(sql);
        await migrate(sql); // concurrent starts apply each migration once (advisory lock)
        const running = startAnchorWorker(config, sql, logger);
        logger.info({ rpcUrl: config.chain.rpcUrl }, 'anchor worker started');
        let stopping = false;
        const shutdown = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'stopping');
          await running.stop();
          await sql.end({ timeout: 5 });
          logger.info('stopped');
          logger.flush();
          process.exit(0);
        };
        process.on('SIGINT', () => void shutdown('SIGINT'));
        process.on('SIGTERM', () => void shutdown('SIGTERM'));
      } catch (error) {
        process.stderr.write(`crvs: ${oneLine(error)}\n`);
        logger.flush();
        process.exit(EXIT_CANNOT_RUN);
      }
    });
}
