import { readFileSync } from 'node:fs';
import T from 'tesseract.js';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
import { characterErrors } from '../quality/score.ts';
const dir = '/work/shared/corpus-dev/';
const lang = process.argv[2] ?? 'uzb';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8')).filter((m: any) => m.lang === lang);
const mk = async (config: object) => { const w = await T.createWorker(lang, 1, { langPath: '/usr/share/tesseract-ocr/5/tessdata', gzip: false, cacheMethod: 'none' }, config); await w.setParameters({ tessedit_pageseg_mode: '3' as never, tessedit_do_invert: '0' }); return w; };
const ws = { dict: await mk({}), nodict: await mk({ load_system_dawg: '0', load_freq_dawg: '0' }) };
const cpu: Record<string, number> = {}; const err: Record<string, number> = {}; let len = 0;
for (const m of manifest) {
  const truth = JSON.parse(readFileSync(dir + m.truth, 'utf8'));
  const scan = await decodeScan(readFileSync(dir + m.file));
  for (const [k, w] of Object.entries(ws)) {
    let text = '';
    for (const p of scan.pages) { const c = process.cpuUsage(); const r = await w.recognize(Buffer.from(encodePgm(p.image)), {}, { text: true, blocks: true, hocr: true }); const d = process.cpuUsage(c); cpu[k] = (cpu[k] ?? 0) + (d.user + d.system) / 1e6; text += r.data.text + '\n'; }
    const e = characterErrors(text, truth.text); err[k] = (err[k] ?? 0) + e.errors; if (k === 'dict') len += e.length;
  }
}
for (const k of Object.keys(ws)) console.log(lang, k, cpu[k]!.toFixed(2), 's', 'CER', (err[k]! / len).toFixed(4));
for (const w of Object.values(ws)) await w.terminate();
