/**
 * `crvs`: the one command line of the civil registry archive. Each subcommand lives in its own
 * file under `cli/commands/` and registers itself here.
 */
import { Command, CommanderError } from 'commander';
import { registerStart } from './commands/start.ts';
import { registerDatabase } from './commands/migrate.ts';
import { registerChain } from './commands/chain.ts';
import { registerWorker } from './commands/worker.ts';
import { registerOcrWorker } from './commands/worker-ocr.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerArchive } from './commands/archive.ts';
import { registerReview } from './commands/review.ts';
import { registerVerify } from './commands/verify.ts';
import { registerVerifyRecord } from './commands/verify-record.ts';
import { registerVerifyCertificate } from './commands/verify-certificate.ts';
import { registerAudit } from './commands/audit.ts';
import { registerToken } from './commands/token.ts';
import { EXIT_CANNOT_RUN } from './report.ts';

const program = new Command('crvs')
  .description('Civil registry archive: registrations, archival ingest, Merkle anchoring and independent audit')
  .exitOverride();

registerStart(program);
registerDatabase(program);
registerChain(program);
registerOcrWorker(registerWorker(program));
registerIngest(program);
registerArchive(program);
registerReview(program);
const verify = registerVerify(program);
registerVerifyRecord(verify);
registerVerifyCertificate(verify);
registerAudit(program);
registerToken(program);

oneLineArgumentErrors(program);

/**
 * A bad argument or option is a one-line reason and exit 2 (README, "The `crvs` command"), like
 * every other failure to run, with where to find the usage instead of the whole of it. Set on
 * every command, after all are registered: each then names itself in the hint.
 */
function oneLineArgumentErrors(command: Command): void {
  const name = commandPath(command);
  command.showHelpAfterError(false).configureOutput({
    outputError: (message, write) => write(`crvs: ${message.replace(/^error: /, '').trim()} (see \`${name} --help\`)\n`),
  });
  for (const sub of command.commands) oneLineArgumentErrors(sub);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit 0; a bad option or unknown command could not run.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_CANNOT_RUN;
  } else {
    throw error;
  }
}
