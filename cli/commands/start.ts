/**
 * `crvs start`: the whole system in one process, until Ctrl-C or SIGTERM.
 */
import type { Command } from 'commander';
import { runUntilStopped } from '../long-running.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the API, the anchor worker and, where none is configured, the embedded database, object store and chain')
    .action(() =>
      runUntilStopped(async (config, logger) => {
        // Loaded on demand: the whole system is most of the code base, and every other command
        // (`crvs verify evidence` above all, run file after file) would otherwise wait for it.
        const { startSystem } = await import('../../services/system.ts');
        return startSystem(config, logger);
      }),
    );
}
