import { readFileSync } from 'node:fs';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
import { createOcrPool } from '../ocr/pool.ts';
import { characterErrors } from '../quality/score.ts';
const dir = '/work/shared/corpus-dev/';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const variants: Record<string, Record<string, string>> = JSON.parse(process.env.VARIANTS!);
const pools = Object.fromEntries(Object.entries(variants).map(([k, p]) => [k, createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 1, parameters: p })]));
const blank = encodePgm({ width: 64, height: 32, data: new Uint8Array(64 * 32).fill(255) });
for (const pool of Object.values(pools)) for (const l of ['rus', 'uzb', 'uzb_cyrl']) await pool.recognise(blank, l, { textOnly: true });
const time: Record<string, number> = {}; const err: Record<string, number> = {}; let len = 0;
for (const m of manifest) {
  const truth = JSON.parse(readFileSync(dir + m.truth, 'utf8'));
  const scan = await decodeScan(readFileSync(dir + m.file));
  const texts: Record<string, string[]> = {};
  for (const p of scan.pages) for (const [k, pool] of Object.entries(pools)) {
    const t = performance.now();
    const r = await pool.recognise(encodePgm(p.image), m.lang);
    time[k] = (time[k] ?? 0) + performance.now() - t;
    (texts[k] ??= []).push(r.text);
  }
  for (const k of Object.keys(pools)) { const c = characterErrors(texts[k]!.join('\n'), truth.text); err[k] = (err[k] ?? 0) + c.errors; if (k === Object.keys(pools)[0]) len += c.length; }
}
for (const k of Object.keys(pools)) console.log(k.padEnd(12), (time[k]! / 13 / 1000).toFixed(3), 's/page', 'CER', (err[k]! / len).toFixed(4));
for (const p of Object.values(pools)) await p.close();
