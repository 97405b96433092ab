/**
 * `npm run bench [NAME...]`: runs the benchmarks under tests/bench/ one after another (all of them
 * by default). Each prints its workload next to the baseline it measured in the same run, as a
 * ratio. Benchmarks are measurements, not pass/fail tests.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

for (const name of wanted.length ? wanted : available) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const mod = (await import(`./${name}.ts`)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') {
    console.error(`bench: tests/bench/${name}.ts exports no run()`);
    process.exitCode = 2;
    continue;
  }
  await mod.run();
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
