/**
 * @module
 * A few text lines cut from a page and stacked into one small image: enough for the language
 * identification pass to see the script and the language's letters, at a fraction of the cost of
 * reading the page with every candidate language.
 */
import { INK_LEVEL, type GrayImage } from '../decode/pixels.ts';

interface Band {
  top: number;
  bottom: number;
}

/**
 * Up to `count` text lines spread over the page, each cut to its ink with a margin, stacked with
 * white gaps; null when the page has no line of text. The shorter half of the lines is preferred
 * (form labels with their values): recognition costs by the letter, and labels carry the language.
 */
export function textStrip(page: GrayImage, count = 3): GrayImage | null {
  const bands = textBands(page).map((b) => ({ ...b, ...inkExtent(page, b) }));
  if (bands.length === 0) return null;
  const widths = bands.map((b) => b.right - b.left).sort((a, b) => a - b);
  const median = widths[widths.length >> 1]!;
  const short = bands.filter((b) => b.right - b.left <= median);
  const chosen = spread(short.length >= count ? short : bands, count);
  const crops = chosen.map((b) => {
    const h = b.bottom - b.top + 1;
    const margin = Math.round(h * 0.3);
    return {
      top: Math.max(0, b.top - margin),
      bottom: Math.min(page.height - 1, b.bottom + margin),
      left: Math.max(0, b.left - h),
      right: Math.min(page.width - 1, b.right + h),
    };
  });
  const gap = Math.max(8, Math.round(Math.max(...crops.map((c) => c.bottom - c.top)) / 2));
  const width = Math.max(...crops.map((c) => c.right - c.left + 1)) + 2 * gap;
  const height = crops.reduce((sum, c) => sum + (c.bottom - c.top + 1) + gap, gap);
  const data = new Uint8Array(width * height).fill(255);
  let y = gap;
  for (const c of crops) {
    const rows = c.bottom - c.top + 1;
    for (let r = 0; r < rows; r++) {
      const from = (c.top + r) * page.width;
      data.set(page.data.subarray(from + c.left, from + c.right + 1), (y + r) * width + gap);
    }
    whitenRules(data, width, y, rows);
    y += rows + gap;
  }
  return { width, height, data };
}

/** First and last column holding ink in a band, within the central 80% of the width. */
function inkExtent(page: GrayImage, band: Band): { left: number; right: number } {
  let left = page.width;
  let right = -1;
  for (let y = band.top; y <= band.bottom; y++) {
    const row = y * page.width;
    for (let x = Math.floor(page.width * 0.1); x < Math.ceil(page.width * 0.9); x++) {
      if (page.data[row + x]! < INK_LEVEL) {
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  return right < 0 ? { left: 0, right: page.width - 1 } : { left, right };
}

/** Blanks columns inked over most of the crop's height: a form's frame and table rules, read as `|`. */
function whitenRules(data: Uint8Array, width: number, top: number, rows: number): void {
  for (let x = 0; x < width; x++) {
    let ink = 0;
    for (let y = top; y < top + rows; y++) if (data[y * width + x]! < INK_LEVEL) ink++;
    if (ink >= rows * 0.7) for (let y = top; y < top + rows; y++) data[y * width + x] = 255;
  }
}

/**
 * Runs of rows holding ink, from the central 80% of the width (the frame of a form lies outside),
 * without ruled lines (rows mostly ink) and without bands far from the common line height
 * (headings, stamps, specks).
 */
export function textBands(page: GrayImage): Band[] {
  const { width, height, data } = page;
  const left = Math.floor(width * 0.1);
  const right = Math.ceil(width * 0.9);
  const span = right - left;
  const inkRows = new Uint8Array(height);
  for (let y = 0; y < height; y++) {
    let ink = 0;
    const row = y * width;
    for (let x = left; x < right; x++) if (data[row + x]! < INK_LEVEL) ink++;
    inkRows[y] = ink > span * 0.004 && ink < span * 0.5 ? 1 : 0;
  }
  const bands: Band[] = [];
  for (let y = 0; y < height; y++) {
    if (!inkRows[y]) continue;
    const top = y;
    while (y + 1 < height && inkRows[y + 1]) y++;
    bands.push({ top, bottom: y });
  }
  // Specks and the dots of broken rules make runs of a pixel or two: not lines, not the norm.
  const lines = bands.filter((b) => b.bottom - b.top + 1 >= 6);
  const sorted = lines.map((b) => b.bottom - b.top + 1).sort((a, b) => a - b);
  const typical = sorted[sorted.length >> 1] ?? 0;
  return lines.filter((b) => {
    const h = b.bottom - b.top + 1;
    return h >= typical * 0.6 && h <= typical * 1.8;
  });
}

/** `count` items evenly spaced over the list (the middle of each of `count` equal runs). */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.round(((items.length - 1) * (i + 0.5)) / count)]!);
}
