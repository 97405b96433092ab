/**
 * `crvs start`: the whole system in one process, until Ctrl-C or SIGTERM.
 */
import type { Command } from 'commander';
import { startSystem } from '../../services/system.ts';
import { runUntilStopped } from '../long-running.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the API, the anchor worker and, where none is configured, the embedded database, object store and chain')
    .action(() => runUntilStopped((config, logger) => startSystem(config, logger)));
}
