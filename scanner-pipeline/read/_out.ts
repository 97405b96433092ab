import { readFileSync } from 'node:fs';
import T from 'tesseract.js';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
const w = await T.createWorker('rus', 1, { langPath: '/usr/share/tesseract-ocr/5/tessdata', gzip: false, cacheMethod: 'none' });
await w.setParameters({ tessedit_pageseg_mode: '3' as never, tessedit_do_invert: '0' });
const img = Buffer.from(encodePgm((await decodeScan(readFileSync('/work/shared/corpus-dev/images/scan-db31-0011.jpg'))).pages[0]!.image));
const outs: Record<string, object> = { text: { text: true }, hocr: { text: true, hocr: true }, blocks: { text: true, blocks: true }, all: { text: true, blocks: true, hocr: true } };
const time: Record<string, number> = {};
for (let r = 0; r < 3; r++) for (const [k, o] of Object.entries(outs)) { const t = process.cpuUsage(); await w.recognize(img, {}, o); const c = process.cpuUsage(t); time[k] = (time[k] ?? 0) + (c.user + c.system) / 1000; }
console.log(Object.fromEntries(Object.entries(time).map(([k, v]) => [k, (v / 3).toFixed(0)])));
await w.terminate();
