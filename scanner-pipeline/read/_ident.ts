import { readFileSync } from 'node:fs';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
import { createOcrPool } from '../ocr/pool.ts';
import { textStrip } from '../ocr/strip.ts';
import { identifyLanguage } from '../ocr/identify.ts';
const dir = '/work/shared/corpus-dev/';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const sets = (process.env.SETS ?? 'rus+uzb+uzb_cyrl,rus+uzb,uzb_cyrl+uzb').split(',');
const lines = Number(process.env.LINES ?? 4);
const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 1, dictionaries: process.env.DICT === '1' });
const blank = encodePgm({ width: 64, height: 32, data: new Uint8Array(64 * 32).fill(255) });
for (const l of sets) await pool.recognise(blank, l, { textOnly: true });
const time: Record<string, number> = {}; const cpuT: Record<string, number> = {}; const right: Record<string, number> = {};
for (const m of manifest) {
  const scan = await decodeScan(readFileSync(dir + m.file));
  const strip = encodePgm(textStrip(scan.pages[0]!.image, lines)!);
  for (const set of sets) {
    const t = performance.now(); const c0 = process.cpuUsage();
    const r = await pool.recognise(strip, set, { pageSegmentation: '6', textOnly: true });
    time[set] = (time[set] ?? 0) + performance.now() - t; const c1 = process.cpuUsage(c0); cpuT[set] = (cpuT[set] ?? 0) + (c1.user + c1.system) / 1000;
    const g = identifyLanguage(r.text, ['rus', 'uzb', 'uzb_cyrl']);
    if (g?.language === m.lang) right[set] = (right[set] ?? 0) + 1; else console.log('MISS', set, m.id, m.lang, g, JSON.stringify(r.text));
  }
}
for (const s of sets) console.log(s.padEnd(18), 'dict', process.env.DICT, (time[s]! / 12).toFixed(0), 'ms/doc', (cpuT[s]! / 12).toFixed(0), 'cpu ms/doc', right[s] ?? 0, '/12');
await pool.close();
