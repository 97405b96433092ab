import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { evidenceBundle } from '../../services/ledger/evidence.ts';
import { buildCertificate, registrationOf } from '../../services/certificates/issue.ts';
import { renderCertificate } from '../../services/certificates/pdf.ts';
import { BIRTH, anchorEverything, correct, register } from '../../services/certificates/testing/records.ts';

const run = promisify(execFile);
const node = path.resolve('node_modules/.bin/node');

let env: TestEnvironment;
const files = { certificate: '', evidence: '', otherEvidence: '', tampered: '', altered: '', notPdf: '' };

async function crvs(args: string[], unset: string[] = []) {
  try {
    const all: Record<string, string | undefined> = { ...process.env, ...env.env };
    for (const name of unset) delete all[name];
    const { stdout, stderr } = await run(node, ['cli/crvs.mjs', ...args], { env: all });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  env = await useTestEnvironment({ env: { BATCH_MAX_WAIT_MS: '100' } });
  const birth = await register(env.sql, 'birth', '1802', BIRTH);
  const v2 = await correct(env.sql, birth.recordId, (d) => ({ ...d, child: { ...(d.child as object), givenName: 'Oʻgʻilxon' } }));
  await anchorEverything(env);
  const registration = (await registrationOf(env.sql, birth.recordId))!;
  const write = (name: string, content: string | Uint8Array) => {
    const file = path.join(env.dataDir, name);
    writeFileSync(file, content);
    return file;
  };
  const certificate = buildCertificate(registration, v2, { publicBaseUrl: 'https://verify.example.uz' });
  files.certificate = write('certificate.pdf', await renderCertificate(certificate));
  const bundle = await evidenceBundle(env.sql, v2.commitment);
  files.evidence = write('evidence.json', JSON.stringify(bundle));
  files.otherEvidence = write('evidence-v1.json', JSON.stringify(await evidenceBundle(env.sql, birth.version.commitment)));
  files.tampered = write('tampered.json', JSON.stringify({ ...bundle, salt: `0x${'11'.repeat(32)}` }));
  // A PDF edited around the genuine QR code: another child's name printed next to it.
  const edited = structuredClone(certificate);
  edited.sections[0]!.fields[1]!.value = 'Malika';
  files.altered = write('altered.pdf', await renderCertificate(edited));
  files.notPdf = write('not.pdf', 'hello');
}, 120_000);
afterAll(() => env.close());

describe('crvs verify certificate', () => {
  it('reads the record id, version and commitment from the QR code of the PDF', async () => {
    const { code, stdout } = await crvs(['verify', 'certificate', files.certificate, '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.verdict).toBe('found');
    expect(out.link).toMatchObject({ version: 2 });
    expect(out.url).toMatch(/^https:\/\/verify\.example\.uz\/verify\//);
  });

  it('confirms a genuine certificate with its evidence bundle against the chain, offline of the registry', async () => {
    const { code, stdout } = await crvs(['verify', 'certificate', files.certificate, '--evidence', files.evidence]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^genuine: the chain confirms this record version/m);
  });

  it('says in its verdict that the contract was taken from the bundle when none is pinned', async () => {
    const { code, stdout } = await crvs(['verify', 'certificate', files.certificate, '--evidence', files.evidence], ['ANCHOR_CONTRACT_ADDRESS']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^genuine on an unpinned contract 0x[0-9a-fA-F]{40}: pin the registry's contract with --contract: the chain confirms/m);
  });

  it('refuses the evidence of another version of the record (exit 1)', async () => {
    const { code, stdout } = await crvs(['verify', 'certificate', files.certificate, '--evidence', files.otherEvidence, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'mismatch' });
  });

  it('calls a bundle with a changed salt forged, showing the failed step with --explain (exit 1)', async () => {
    const { code, stdout } = await crvs(['verify', 'certificate', files.certificate, '--evidence', files.tampered, '--explain']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FORGED OR ALTERED: commitment: expected/m);
    expect(stdout).toMatch(/✗ commitment/);
  });

  it('catches a PDF that prints another name next to a genuine QR code (exit 1)', async () => {
    const { code, stdout } = await crvs(['verify', 'certificate', files.altered, '--evidence', files.evidence, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'altered', missingFromPrint: ['Oʻgʻilxon'] });
  });

  it('cannot run on a file that is not a PDF (exit 2, one line)', async () => {
    const { code, stderr } = await crvs(['verify', 'certificate', files.notPdf]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^crvs: not a readable PDF/);
  });
});
