import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodeScan } from '../decode/decode.ts';
import { textStrip, textBands } from '../ocr/strip.ts';
import { encodePgm } from '../decode/pixels.ts';
import { createOcrPool } from '../ocr/pool.ts';
import { identifyLanguage } from '../ocr/identify.ts';
const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 1 });
for (const id of process.argv.slice(2)) {
  const f = readFileSync(`/work/shared/corpus-dev/images/${id}`);
  const scan = await decodeScan(f, { glyphHeight: 18 });
  const p = scan.pages[0]!;
  console.log(id, 'bands', textBands(p.image).map((b) => `${b.top}-${b.bottom}`).join(' '));
  const s = textStrip(p.image)!;
  await sharp(s.data, { raw: { width: s.width, height: s.height, channels: 1 } }).png().toFile(`/tmp/ocrx/strip-${id}.png`);
  const t = performance.now();
  const r = await pool.recognise(encodePgm(s), 'rus+uzb+uzb_cyrl', { pageSegmentation: '6', textOnly: true });
  console.log((performance.now() - t).toFixed(0), 'ms', JSON.stringify(r.text), identifyLanguage(r.text, ['rus', 'uzb', 'uzb_cyrl']));
}
await pool.close();
