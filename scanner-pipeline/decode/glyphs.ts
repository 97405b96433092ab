/**
 * @module
 * How tall the letters on a page are, from the connected components of its ink: the median height
 * of glyph-sized components, which lands between the x-height and the capital height of the body
 * text. The pipeline scales every page so that this height is what the recogniser reads best,
 * whatever the scan's resolution.
 */
import { INK_LEVEL, type GrayImage } from './pixels.ts';

export interface GlyphStats {
  /** Components that look like glyphs (neither specks nor rules, frames or stamps). */
  count: number;
  /** Median height of those components, in the image's pixels; 0 when there are none. */
  medianHeight: number;
}

/** 8-connected components of ink, measured by their bounding boxes. */
export function glyphStats(image: GrayImage): GlyphStats {
  const { width, height, data } = image;
  const seen = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const heights: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (seen[start] || data[start]! >= INK_LEVEL) continue;
    let top = height, bottom = -1, left = width, right = -1, size = 0, sp = 0;
    stack[sp++] = start;
    seen[start] = 1;
    while (sp > 0) {
      const p = stack[--sp]!;
      const y = (p / width) | 0;
      const x = p - y * width;
      size++;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (!seen[q] && data[q]! < INK_LEVEL) {
            seen[q] = 1;
            stack[sp++] = q;
          }
        }
      }
    }
    const h = bottom - top + 1;
    const w = right - left + 1;
    if (isGlyphLike(w, h, size, width, height)) heights.push(h);
  }
  heights.sort((a, b) => a - b);
  return { count: heights.length, medianHeight: heights.length ? heights[heights.length >> 1]! : 0 };
}

function isGlyphLike(w: number, h: number, size: number, pageWidth: number, pageHeight: number): boolean {
  if (h < 3 || size < 6) return false; // specks, dust, dots of i and ё
  if (h > pageHeight / 15 || w > pageWidth / 10) return false; // stamps, frames, rules, signatures
  const aspect = w / h;
  return aspect > 0.15 && aspect < 3; // thin rules and long underlines are not letters
}
