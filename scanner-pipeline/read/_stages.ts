import { readFileSync } from 'node:fs';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
import { createOcrPool } from '../ocr/pool.ts';
import { textStrip } from '../ocr/strip.ts';
import { readSeriesNumeral } from './series-numeral.ts';
const dir = '/work/shared/corpus-dev/';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 1, parameters: JSON.parse(process.env.PARAMS ?? '{}') });
const blank = encodePgm({ width: 64, height: 32, data: new Uint8Array(64 * 32).fill(255) });
for (const l of ['rus', 'uzb', 'uzb_cyrl', 'rus+uzb+uzb_cyrl', 'eng']) await pool.recognise(blank, l, { textOnly: true });
const T = { decode: 0, strip: 0, page: 0, series: 0 };
for (const m of manifest) {
  let t = performance.now();
  const scan = await decodeScan(readFileSync(dir + m.file));
  T.decode += performance.now() - t;
  const p0 = scan.pages[0]!;
  t = performance.now();
  await pool.recognise(encodePgm(textStrip(p0.image)!), 'rus+uzb+uzb_cyrl', { pageSegmentation: '6', textOnly: true });
  T.strip += performance.now() - t;
  const pages = [];
  for (const p of scan.pages) { t = performance.now(); pages.push({ image: p.image, ocr: await pool.recognise(encodePgm(p.image), m.lang) }); T.page += performance.now() - t; }
  t = performance.now();
  const r = await readSeriesNumeral(pages, pool);
  T.series += performance.now() - t;
  console.log(m.id, m.lang, 'roman', r);
}
console.log(Object.fromEntries(Object.entries(T).map(([k, v]) => [k, (v / 13 / 1000).toFixed(3)])));
await pool.close();
