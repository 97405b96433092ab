import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
import { createOcrPool } from '../ocr/pool.ts';
import { fold } from '../extract/text.ts';
import T from 'tesseract.js';
const wl = await T.createWorker('eng', 1, { langPath: '/usr/share/tesseract-ocr/5/tessdata', gzip: false, cacheMethod: 'none' });
const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 1 });
for (const [f, lang] of [['scan-db31-0002.jpg', 'uzb_cyrl'], ['scan-db31-0009.png', 'rus'], ['scan-db31-0011.jpg', 'rus'], ['scan-db31-0004.tiff', 'uzb'], ['scan-db31-0006.jpg', 'rus']]) {
  const scan = await decodeScan(readFileSync('/work/shared/corpus-dev/images/' + f));
  const p = scan.pages[0]!;
  const ocr = await pool.recognise(encodePgm(p.image), lang!);
  const line = ocr.lines.find((l) => l.words.some((w) => /^(seriya|cepия|серия)/.test(fold(w.text))));
  if (!line) { console.log(f, 'no line', ocr.lines.map((l) => l.text).filter((t) => /ери|eri/.test(t))); continue; }
  const b = line.box; const m = Math.round((b.y1 - b.y0) * 0.4);
  const crop = await sharp(p.image.data, { raw: { width: p.image.width, height: p.image.height, channels: 1 } }).extract({ left: Math.max(0, b.x0 - m), top: b.y0 - m, width: b.x1 - b.x0 + 2 * m, height: b.y1 - b.y0 + 2 * m }).png().toBuffer();
  await sharp(crop).toFile(`/tmp/ocrx/ser-${f}.png`);
  for (const psm of ['7', '6']) { const r = await wl.recognize(crop, { tessedit_pageseg_mode: psm, tessedit_char_whitelist: 'IVX-0123456789' } as never); console.log(f, line.text, '| eng wl psm', psm, JSON.stringify(r.data.text)); }
}
await pool.close(); await wl.terminate();
