/**
 * `crvs verify ...`: independent checks that trust neither the API nor the database.
 *
 * `crvs verify evidence FILE... [--rpc URL] [--contract ADDRESS] [--explain] [--json]` checks
 * evidence bundles with nothing but the files and a chain endpoint (after sigstore/rekor's
 * `verify`, which can show every step). Exit 0 every bundle genuine, 1 any forged or altered,
 * 2 could not run (unreadable file, not a bundle, chain unreachable, a `--contract` that is no
 * address), with a one-line reason each. Without a pinned contract, a genuine bundle's verdict line
 * says so: `genuine on an unpinned contract 0x…`.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { readDeployment } from '../../services/chain/settings.ts';
import { RegistryError } from '../../services/errors.ts';
import { parseEvidence, type EvidenceBundle } from '../../services/ledger/evidence.ts';
import { verifyEvidence, type EvidenceVerification, type VerificationStep } from '../../services/ledger/evidence-verifier.ts';
import { action, EXIT_CANNOT_RUN, EXIT_OK, oneLine, report } from '../report.ts';
import { parseAddress } from './chain.ts';

/** The `verify` group; other checks (`verify record`, ...) add their subcommand to the returned command. */
export function registerVerify(program: Command): Command {
  const verify = program.command('verify').description('check records and evidence independently of the API and the database');
  registerVerifyEvidence(verify);
  return verify;
}

interface EvidenceOptions {
  rpc?: string;
  contract?: string;
  explain?: boolean;
}

type FileOutcome =
  | ({ file: string; bundle: EvidenceBundle } & EvidenceVerification)
  | { file: string; verdict: 'unreadable'; reason: string };

function registerVerifyEvidence(verify: Command): void {
  verify
    .command('evidence')
    .description('verify evidence bundles against the chain: record, commitment, leaf, proof, anchored root')
    .argument('<files...>', 'evidence bundle JSON files (crvs-evidence-v1)')
    .option('--rpc <url>', 'chain JSON-RPC endpoint (default: CHAIN_RPC_URL, else the embedded chain)')
    .option('--contract <address>', "the registry's published contract address (default: ANCHOR_CONTRACT_ADDRESS, else the embedded deployment)")
    .option('--explain', 'show every hashing and chain step')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: EvidenceOptions, command: Command) => {
      let cannotRun = false;
      await action(async () => {
        const { rpcUrl, trustedContract } = endpoints(options);
        const outcomes: FileOutcome[] = [];
        for (const file of files) outcomes.push(await verifyFile(file, rpcUrl, trustedContract));
        const problems = outcomes.filter((o) => o.verdict === 'unreadable' || o.verdict === 'unverifiable');
        if (problems.length === outcomes.length) {
          const first = problems[0]!;
          throw new RegistryError('service-unavailable', `${first.file}: ${first.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
        }
        for (const p of problems) process.stderr.write(`crvs: ${p.file}: ${p.reason}\n`);
        cannotRun = problems.length > 0;
        const forged = outcomes.some((o) => o.verdict === 'forged');
        const text = outcomes.map((o) => describe(o, Boolean(options.explain))).join('\n');
        return report({ rpcUrl, trustedContract: trustedContract ?? null, results: outcomes.map(summary) }, text, !forged);
      })(files, options, command);
      if (cannotRun && process.exitCode === EXIT_OK) process.exitCode = EXIT_CANNOT_RUN;
    });
}

/** `--rpc` and `--contract`, else the configuration (an auditor's machine usually has none set). */
function endpoints(options: EvidenceOptions): { rpcUrl: string; trustedContract: string | undefined } {
  // Checked before any bundle is read: ethers' own refusal names no option.
  const contract = options.contract === undefined ? undefined : parseAddress(options.contract, '--contract');
  if (options.rpc && contract) return { rpcUrl: options.rpc, trustedContract: contract };
  const config = loadConfig();
  const configured = config.chain.contractAddress ?? (config.chain.embedded ? readDeployment(config)?.address : undefined);
  return { rpcUrl: options.rpc ?? config.chain.rpcUrl, trustedContract: contract ?? configured };
}

async function verifyFile(file: string, rpcUrl: string, trustedContract: string | undefined): Promise<FileOutcome> {
  let bundle: EvidenceBundle;
  try {
    bundle = parseEvidence(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    return { file, verdict: 'unreadable', reason: oneLine(error) };
  }
  return { file, bundle, ...(await verifyEvidence(bundle, rpcUrl, { trustedContract })) };
}

function summary(outcome: FileOutcome) {
  if (outcome.verdict === 'unreadable') return outcome;
  const { bundle, ...verification } = outcome;
  const record = bundle.record as { recordId?: string; version?: number };
  return { ...verification, recordId: record.recordId, version: record.version, batchId: bundle.batchId, transactionHash: bundle.transactionHash };
}

function describe(outcome: FileOutcome, explain: boolean): string {
  if (outcome.verdict === 'unreadable') return `${outcome.file}: could not read: ${outcome.reason}`;
  const { bundle } = outcome;
  const record = bundle.record as { recordId?: string; version?: number; kind?: string };
  const what = `record ${record.recordId ?? '?'} version ${record.version ?? '?'} (${record.kind ?? '?'}), batch ${bundle.batchId}`;
  const lines = [
    outcome.verdict === 'genuine'
      ? `${outcome.file}: ${genuineOn(outcome)}: ${what}, anchored on chain ${bundle.chainId} at ${bundle.contractAddress} (tx ${bundle.transactionHash}, block ${bundle.blockNumber})`
      : outcome.verdict === 'forged'
        ? `${outcome.file}: FORGED OR ALTERED: ${outcome.reason}`
        : `${outcome.file}: could not verify: ${outcome.reason}`,
  ];
  if (explain) lines.push(...outcome.steps.map(explainStep));
  return lines.join('\n');
}

/**
 * The verdict word of a genuine bundle. Unpinned, the contract is the one the bundle names, and
 * anyone can deploy a look-alike and anchor a forged root on it: the verdict itself says so, where
 * a note on the next line would be lost in a list of files or a `grep genuine`.
 */
function genuineOn(outcome: { contractPinned: boolean; bundle: EvidenceBundle }): string {
  if (outcome.contractPinned) return 'genuine';
  return `genuine on an unpinned contract ${outcome.bundle.contractAddress}: pin the registry's contract with --contract`;
}

const MARK = { passed: '✓', failed: '✗', 'not-run': '-' } as const;

function explainStep(step: VerificationStep): string {
  const head = `  ${MARK[step.status]} ${step.step.padEnd(16)} ${step.check}`;
  if (step.status !== 'failed') {
    // A hash is worth showing; a long canonical text is not, when it matches.
    const shown = step.status === 'passed' && step.expected !== undefined && step.expected.length <= 66 ? step.expected : step.detail;
    return `${head}: ${shown}`;
  }
  if (step.expected === undefined) return `${head}: ${step.detail}`;
  const pad = ' '.repeat(21);
  return `${head}: ${step.detail === `expected ${step.expected}, calculated ${step.calculated}` ? 'differs' : step.detail}\n${pad}expected   ${step.expected}\n${pad}calculated ${step.calculated}`;
}
