import { readFileSync, writeFileSync } from 'node:fs';
import { createOcrPool } from '../ocr/pool.ts';
import { readScan } from './read-scan.ts';
const dir = '/work/shared/corpus-dev/';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const params = JSON.parse(process.env.PARAMS ?? '{}');
const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 2, parameters: params });
// warm up: one page per language so worker start-up is not timed
const langs = (process.env.LANGS ?? 'rus+uzb+uzb_cyrl').split('+');
const c0 = process.cpuUsage(); const t0 = performance.now();
const out: string[] = []; let pages = 0; let i = 0;
await Promise.all([0, 1, 2].map(async () => {
  while (i < manifest.length) {
    const m = manifest[i++];
    const t = performance.now();
    const r = await readScan(readFileSync(dir + m.file), { pool, languages: langs, decode: { glyphHeight: Number(process.env.GH ?? 18) } });
    pages += r.pages.length;
    console.error(m.id, m.lang, '->', r.language, r.languageConfidence.toFixed(2), ((performance.now() - t) / 1000).toFixed(1), 's');
    out.push(JSON.stringify({ sourceFile: m.file, ocrText: r.text, fields: r.fields }));
  }
}));
const dt = (performance.now() - t0) / 1000; const cpu = process.cpuUsage(c0);
console.log(`${pages} pages ${dt.toFixed(1)} s = ${(pages / dt * 60).toFixed(1)} ppm; cpu ${((cpu.user + cpu.system) / 1e6 / pages).toFixed(2)} s/page`, JSON.stringify(pool.stats()));
writeFileSync(`/tmp/ocrx/out/${process.env.TAG ?? 'r'}.jsonl`, out.join('\n'));
await pool.close();
