import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodeScan } from './decode.ts';
import { inkShare } from './pixels.ts';
const dir = '/work/shared/corpus-dev/images/';
for (const f of readdirSync(dir)) {
  const t = performance.now();
  const scan = await decodeScan(readFileSync(dir + f), { glyphHeight: Number(process.env.GH ?? 26) });
  const dt = performance.now() - t;
  for (const p of scan.pages) {
    console.log(f, p.index, p.blank, 'skew', p.skewDegrees, 'glyph', p.glyphHeight, 'scale', p.scale.toFixed(2), `${p.original.width}x${p.original.height} -> ${p.image.width}x${p.image.height}`, 'ink', inkShare(p.image).toFixed(4), dt.toFixed(0), 'ms');
    await sharp(p.image.data, { raw: { width: p.image.width, height: p.image.height, channels: 1 } }).png().toFile(`/tmp/ocrx/pre/${f}-${p.index}.png`);
  }
}
