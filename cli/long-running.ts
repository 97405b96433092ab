/**
 * @module
 * The one way a long-running `crvs` command (`start`, `worker anchor`) starts and stops: load the
 * configuration, start, then on Ctrl-C or SIGTERM stop cleanly and exit 0. A failure to start is a
 * one-line reason and exit 2, as for every other command.
 */
import { loadConfig, type Config } from '../services/config/env.ts';
import { createLogger, type Logger } from '../services/observability/logger.ts';
import { EXIT_CANNOT_RUN, oneLine } from './report.ts';

export interface Running {
  stop(): Promise<void>;
}

export async function runUntilStopped(start: (config: Config, logger: Logger) => Promise<Running>): Promise<void> {
  let logger = createLogger('info');
  try {
    const config = loadConfig();
    logger = createLogger(config.logLevel);
    const running = await start(config, logger);
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      await running.stop();
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
}
