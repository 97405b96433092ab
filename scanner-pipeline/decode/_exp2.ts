import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeScan } from './decode.ts';
import { encodePgm } from './pixels.ts';
const require = createRequire(import.meta.url);
const T = require('tesseract.js');
const dir = '/work/shared/corpus-dev/';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const mode = process.env.LANGS ?? 'truth'; // 'truth' | 'rus+uzb+uzb_cyrl'
const params = JSON.parse(process.env.PARAMS ?? '{"tessedit_pageseg_mode":"3"}');
const gh = Number(process.env.GH ?? 26);
const pages: { id: string; p: number; lang: string; buf: Uint8Array }[] = [];
const t0 = performance.now();
for (const m of manifest) {
  const scan = await decodeScan(readFileSync(dir + m.file), { glyphHeight: gh });
  for (const pg of scan.pages) if (!pg.blank) pages.push({ id: m.id, p: pg.index, lang: mode === 'truth' ? m.lang : mode, buf: encodePgm(pg.image) });
}
console.error('decode', ((performance.now() - t0) / 1000).toFixed(1));
const langsNeeded = [...new Set(pages.map((p) => p.lang))];
const pools = new Map<string, any[]>();
for (const l of langsNeeded) pools.set(l, await Promise.all([0, 1].map(async () => { const w = await T.createWorker(l, 1, { langPath: '/usr/share/tesseract-ocr/5/tessdata', gzip: false, cacheMethod: 'none' }); await w.setParameters(params); return w; })));
const c0 = process.cpuUsage(); const t1 = performance.now();
let i = 0; const out: Record<string, string[]> = {};
await Promise.all([0, 1].map(async (k) => { while (i < pages.length) { const pg = pages[i++]!; const w = pools.get(pg.lang)![k]; const r = await w.recognize(Buffer.from(pg.buf), {}, { text: true }); (out[pg.id] ??= [])[pg.p] = r.data.text; } }));
const dt = (performance.now() - t1) / 1000; const cpu = process.cpuUsage(c0);
console.log(`${mode} ${JSON.stringify(params)} gh=${gh}: ${pages.length} pages ${dt.toFixed(1)} s = ${(pages.length / dt * 60).toFixed(1)} ppm; cpu ${((cpu.user + cpu.system) / 1e6 / pages.length).toFixed(2)} s/page`);
mkdirSync('/tmp/ocrx/out', { recursive: true });
writeFileSync(`/tmp/ocrx/out/${process.env.TAG ?? 'x'}.jsonl`, Object.entries(out).map(([id, t]) => JSON.stringify({ sourceFile: id, ocrText: t.join('\n'), fields: {} })).join('\n'));
for (const ws of pools.values()) for (const w of ws) await w.terminate();
