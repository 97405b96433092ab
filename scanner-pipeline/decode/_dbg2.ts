import { readFileSync } from 'node:fs';
import { decodeScan } from './decode.ts';
const p = (await decodeScan(readFileSync('/work/shared/corpus-dev/images/scan-db31-0010.jpg'))).pages[0]!;
console.log(p.skewDegrees, p.scale, p.glyphHeight, p.image.width, p.image.height);
// longest run under 215 per row, for rows 500..1200
const w = p.image.width; const out: string[] = [];
for (let y = 560; y < 700; y++) { let best = 0, run = 0, dark = 0; for (let x = 0; x < w; x++) { const v = p.image.data[y * w + x]!; if (v < 215) { run++; best = Math.max(best, run); } else run = 0; if (v < 250) dark++; } out.push(`${y}:${best}/${dark}`); }
console.log(out.join(' '));
