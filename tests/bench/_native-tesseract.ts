/**
 * @module
 * The baseline of tests/bench/ocr.ts: Debian's native `tesseract` CLI, one process per page image,
 * `parallelism` processes at a time, each single-threaded (OMP_THREAD_LIMIT=1), as a shell loop
 * with `xargs -P` would run it. CPU time is read through GNU time when it is installed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface NativeRun {
  /** Text per input, in input order (form feeds between the pages of a multi-page TIFF). */
  texts: string[];
  wallSeconds: number;
  /** User + system CPU seconds of all processes; null without /usr/bin/time. */
  cpuSeconds: number | null;
}

const GNU_TIME = '/usr/bin/time';

export async function runNativeTesseract(files: readonly string[], languages: string, parallelism: number): Promise<NativeRun> {
  const texts: string[] = new Array(files.length).fill('');
  let cpu: number | null = existsSync(GNU_TIME) ? 0 : null;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < files.length) {
        const i = next++;
        const { stdout, cpuSeconds } = await tesseract(files[i]!, languages);
        texts[i] = stdout;
        if (cpu !== null && cpuSeconds !== null) cpu += cpuSeconds;
      }
    }),
  );
  return { texts, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: cpu };
}

function tesseract(file: string, languages: string): Promise<{ stdout: string; cpuSeconds: number | null }> {
  const timed = existsSync(GNU_TIME);
  const args = ['tesseract', file, 'stdout', '-l', languages];
  const child = timed ? spawn(GNU_TIME, ['-f', 'CPU %U %S', ...args], { env: { ...process.env, OMP_THREAD_LIMIT: '1' } }) : spawn(args[0]!, args.slice(1), { env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`tesseract ${file} exited with ${code}: ${stderr.trim().split('\n').pop()}`));
      const m = /CPU ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({ stdout, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : null });
    });
  });
}
