import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
import { createOcrPool } from '../ocr/pool.ts';
import { textStrip } from '../ocr/strip.ts';
import { readSeriesNumeral } from './series-numeral.ts';
const dir = '/work/shared/corpus-dev/';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 1 });
const blank = encodePgm({ width: 64, height: 32, data: new Uint8Array(64 * 32).fill(255) });
for (const l of ['rus', 'uzb', 'uzb_cyrl', 'rus+uzb', 'eng']) await pool.recognise(blank, l, { textOnly: true });
const cpu = async (f: () => Promise<unknown>) => { const c = process.cpuUsage(); await f(); const d = process.cpuUsage(c); return (d.user + d.system) / 1e6; };
const tot = { nat: 0, dec: 0, strip: 0, page: 0, ser: 0 };
for (const m of manifest) {
  let nat = 0;
  try { execFileSync('sh', ['-c', `OMP_THREAD_LIMIT=1 /usr/bin/time -f '%U %S' tesseract ${dir + m.file} stdout -l rus+uzb+uzb_cyrl >/dev/null 2>/tmp/ocrx/nt.err`]); const l = readFileSync('/tmp/ocrx/nt.err', 'utf8').trim().split('\n').pop()!.split(' '); nat = Number(l[0]) + Number(l[1]); } catch {}
  let scan: Awaited<ReturnType<typeof decodeScan>>;
  const dec = await cpu(async () => { scan = await decodeScan(readFileSync(dir + m.file)); });
  const strip = await cpu(() => pool.recognise(encodePgm(textStrip(scan!.pages[0]!.image, 2)!), 'rus+uzb', { pageSegmentation: '6', textOnly: true }));
  const pages: any[] = [];
  const page = await cpu(async () => { for (const p of scan!.pages) pages.push({ image: p.image, ocr: await pool.recognise(encodePgm(p.image), m.lang) }); });
  const ser = await cpu(() => readSeriesNumeral(pages, pool));
  tot.nat += nat; tot.dec += dec; tot.strip += strip; tot.page += page; tot.ser += ser;
  console.log(m.id.slice(-4), m.lang.padEnd(8), 'native', nat.toFixed(2), '| ours dec', dec.toFixed(2), 'strip', strip.toFixed(2), 'page', page.toFixed(2), 'ser', ser.toFixed(2), 'sum', (dec + strip + page + ser).toFixed(2));
}
console.log('TOTAL', Object.fromEntries(Object.entries(tot).map(([k, v]) => [k, v.toFixed(2)])));
await pool.close();
