/**
 * `crvs start`: the whole system in one process, until Ctrl-C or SIGTERM.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { startSystem } from '../../services/system.ts';
import { EXIT_CANNOT_RUN, oneLine } from '../report.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the API, the anchor worker and, where none is configured, the embedded database, object store and chain')
    .action(async () => {
      let logger = createLogger('info');
      try {
        const config = loadConfig();
        logger = createLogger(config.logLevel);
        const system = await startSystem(config, logger);
        let stopping = false;
        const shutdown = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'stopping');
          await system.stop();
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
