/**
 * `crvs verify certificate FILE.pdf [--evidence BUNDLE.json] [--rpc URL] [--contract ADDRESS] [--explain] [--json]`
 *
 * Reads the QR code of a certificate PDF and reports the record version it names. With the
 * version's evidence bundle (downloadable from the public page), checks fully offline of the
 * registry, against the chain only: that the bundle is of that version, that it verifies on chain,
 * and that the certificate prints what the record says. Exit 0 genuine (or only read), 1 a check
 * failed (other version, forged bundle, altered print), 2 could not run (unreadable file, chain
 * unreachable). The work is in `services/certificates/check.ts`.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { readDeployment } from '../../services/chain/settings.ts';
import { RegistryError } from '../../services/errors.ts';
import { parseEvidence, type EvidenceBundle } from '../../services/ledger/evidence.ts';
import { checkCertificate, type CertificateCheck } from '../../services/certificates/check.ts';
import { UsageError, action, report } from '../report.ts';

interface Options {
  evidence?: string;
  rpc?: string;
  contract?: string;
  explain?: boolean;
}

/** Adds `certificate` to the `verify` group returned by `registerVerify`. */
export function registerVerifyCertificate(verify: Command): void {
  verify
    .command('certificate')
    .description("read a certificate's QR code; with --evidence, check it against the chain and its printed fields against the record")
    .argument('<file>', 'certificate PDF (as printed by GET /v1/records/:id/certificate.pdf)')
    .option('--evidence <file>', 'the evidence bundle of the version the QR code names (crvs-evidence-v1 JSON)')
    .option('--rpc <url>', 'chain JSON-RPC endpoint (default: CHAIN_RPC_URL, else the embedded chain)')
    .option('--contract <address>', "the registry's published contract address (default: ANCHOR_CONTRACT_ADDRESS, else the embedded deployment)")
    .option('--explain', 'show every hashing and chain step')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (file: string, options: Options) => {
        const pdf = await readInput(file, 'FILE');
        const bundle = options.evidence === undefined ? undefined : await readBundle(options.evidence);
        const { rpcUrl, trustedContract } = bundle ? endpoints(options) : { rpcUrl: '', trustedContract: undefined };
        const check = await checkCertificate(pdf, { bundle, rpcUrl, trustedContract });
        if (check.verdict === 'unverifiable') throw new RegistryError('service-unavailable', `could not verify against the chain: ${check.reason}`);
        const data = { file, ...check, ...(bundle ? { rpcUrl, trustedContract: trustedContract ?? null } : {}) };
        return report(data, describe(file, check, Boolean(options.explain)), check.verdict === 'genuine' || check.verdict === 'found');
      }),
    );
}

async function readInput(file: string, field: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new UsageError(`${field}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, field);
  }
}

async function readBundle(file: string): Promise<EvidenceBundle> {
  const bytes = await readInput(file, '--evidence');
  try {
    return parseEvidence(JSON.parse(Buffer.from(bytes).toString('utf8')));
  } catch (error) {
    throw new UsageError(`--evidence: ${file}: ${error instanceof SyntaxError ? `not JSON: ${error.message}` : (error as Error).message}`, '--evidence');
  }
}

function endpoints(options: Options): { rpcUrl: string; trustedContract: string | undefined } {
  if (options.rpc && options.contract) return { rpcUrl: options.rpc, trustedContract: options.contract };
  const config = loadConfig();
  const configured = config.chain.contractAddress ?? (config.chain.embedded ? readDeployment(config)?.address : undefined);
  return { rpcUrl: options.rpc ?? config.chain.rpcUrl, trustedContract: options.contract ?? configured };
}

const MARK = { passed: '✓', failed: '✗', 'not-run': '-' } as const;

function describe(file: string, check: CertificateCheck, explain: boolean): string {
  const { link } = check;
  const lines = [
    `${file}: QR code names record ${link.recordId} version ${link.version}`,
    `  commitment ${link.commitment}`,
    `  link       ${check.url}`,
  ];
  switch (check.verdict) {
    case 'found':
      lines.push('not checked against the chain: pass --evidence with the bundle from the link\'s page ("Download the evidence bundle")');
      break;
    case 'genuine': {
      const a = check.anchoring!;
      // Unpinned, the contract is the one the bundle names, which anyone can deploy: said in the
      // verdict line itself, as `crvs verify evidence` says it.
      const on = check.evidence!.contractPinned ? 'genuine' : `genuine on an unpinned contract ${a.contractAddress}: pin the registry's contract with --contract`;
      lines.push(`${on}: the chain confirms this record version, and the certificate prints what the record says`);
      lines.push(`  anchored in batch ${a.batchId} on chain ${a.chainId} at ${a.contractAddress} (tx ${a.transactionHash}, block ${a.blockNumber})`);
      break;
    }
    case 'mismatch':
      lines.push(`NOT THIS CERTIFICATE: ${check.reason}`);
      break;
    case 'altered':
      lines.push(`ALTERED PRINT: ${check.reason}`);
      break;
    default:
      lines.push(`FORGED OR ALTERED: ${check.reason}`);
  }
  if (explain && check.evidence) lines.push(...check.evidence.steps.map((s) => `  ${MARK[s.status]} ${s.step.padEnd(16)} ${s.check}: ${s.detail}`));
  return lines.join('\n');
}
