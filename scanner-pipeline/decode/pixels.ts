/**
 * @module
 * Pixel operations sharp (libvips) has no single call for, over 8-bit one-channel images in memory:
 * flattening uneven paper (yellowing, stains, folds, shadows of a phone photo), deciding what is ink,
 * and shrinking for cheap analysis. Plain loops over typed arrays: a 300 dpi page is about 4
 * megapixels, a few milliseconds each.
 */

/** An 8-bit grey image, row-major, 0 = black, 255 = white. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Value below which a pixel of a flattened page counts as ink. */
export const INK_LEVEL = 160;
/** Value below which a pixel can belong to a printed rule (rules are often thin and grey). */
const RULE_LEVEL = 215;

/**
 * Divides the page by an estimate of its paper: the bright percentile of blocks of about a text
 * line's height, widened by one block (dense bold headings) and interpolated bilinearly. Paper turns
 * white whatever its tint or shading; ink keeps its contrast. The classic "background division"
 * flat-field correction, as in Leptonica's pixBackgroundNorm.
 */
export function flattenBackground(image: GrayImage, block = Math.max(16, Math.round(Math.min(image.width, image.height) / 60))): GrayImage {
  const { width, height, data } = image;
  const bw = Math.ceil(width / block);
  const bh = Math.ceil(height / block);
  const paper = maxFilter3(blockPercentile(image, block, bw, bh, 0.9), bw, bh);
  const out = new Uint8Array(width * height);
  // Bilinear interpolation, separable: first along x for the two grid rows around y.
  const x0s = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) / block - 0.5, 0), bw - 1);
    x0s[x] = Math.floor(fx);
    wxs[x] = fx - x0s[x]!;
  }
  const rowAbove = new Float32Array(width);
  const rowBelow = new Float32Array(width);
  let cachedY0 = -1;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) / block - 0.5, 0), bh - 1);
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    if (y0 !== cachedY0) {
      interpolateRow(paper, bw, y0, x0s, wxs, rowAbove);
      interpolateRow(paper, bw, Math.min(y0 + 1, bh - 1), x0s, wxs, rowBelow);
      cachedY0 = y0;
    }
    const base = y * width;
    for (let x = 0; x < width; x++) {
      const bg = rowAbove[x]! + (rowBelow[x]! - rowAbove[x]!) * wy;
      const v = (data[base + x]! * 255) / (bg < 1 ? 1 : bg);
      out[base + x] = v > 255 ? 255 : v;
    }
  }
  return { width, height, data: out };
}

function interpolateRow(grid: Float32Array, bw: number, gy: number, x0s: Int32Array, wxs: Float32Array, out: Float32Array): void {
  const row = gy * bw;
  for (let x = 0; x < out.length; x++) {
    const x0 = x0s[x]!;
    const a = grid[row + x0]!;
    const b = grid[row + Math.min(x0 + 1, bw - 1)]!;
    out[x] = a + (b - a) * wxs[x]!;
  }
}

/** Percentile of each block, from every other pixel of every other row (plenty for paper). */
function blockPercentile(image: GrayImage, block: number, bw: number, bh: number, q: number): Float32Array {
  const { width, height, data } = image;
  const out = new Float32Array(bw * bh);
  const histogram = new Uint32Array(256);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      histogram.fill(0);
      const yEnd = Math.min((by + 1) * block, height);
      const xEnd = Math.min((bx + 1) * block, width);
      let count = 0;
      for (let y = by * block; y < yEnd; y += 2) {
        const row = y * width;
        for (let x = bx * block; x < xEnd; x += 2) {
          histogram[data[row + x]!]!++;
          count++;
        }
      }
      out[by * bw + bx] = percentileOf(histogram, count, q);
    }
  }
  return out;
}

function percentileOf(histogram: Uint32Array, count: number, q: number): number {
  const rank = count * q;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    if (seen >= rank) return v;
  }
  return 255;
}

function maxFilter3(grid: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) m = Math.max(m, grid[yy * w + xx]!);
        }
      }
      out[y * w + x] = m;
    }
  }
  return out;
}

/**
 * Stretches a flattened page so that `paperLevel` and lighter becomes white and the darkest ink
 * black. Faint marks (show-through from the back of the sheet, paper grain, pale stains) vanish,
 * the grey edges of real strokes stay for the recogniser.
 */
export function stretchContrast(image: GrayImage, paperLevel: number): GrayImage {
  const { data } = image;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) histogram[data[i]!]!++;
  const inkCount = histogram.slice(0, INK_LEVEL).reduce((a, b) => a + b, 0);
  // The darkest ink: the 5th percentile of the ink pixels (not the single darkest, which is noise).
  let black = 0;
  for (let v = 0, seen = 0; v < INK_LEVEL; v++) {
    seen += histogram[v]!;
    if (seen >= inkCount * 0.05) { black = v; break; }
  }
  const span = Math.max(paperLevel - black, 1);
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - black) * 255) / span)));
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = lut[data[i]!]!;
  return { width: image.width, height: image.height, data: out };
}

/**
 * Whitens straight runs of ink at least `minLength` long, across and down: the underlines a form
 * prints under every value, its frame and its table rules. Tesseract's layout analysis otherwise
 * merges a rule with the text resting on it (and may drop the line as a picture) and reads frames
 * as `|`. A run may step by a pixel (a rule levelled by shears, a wavy scan): a pixel counts when
 * it or its neighbour across the run is ink, and the three pixels across are whitened. Letters are
 * far shorter than `minLength`; where a stroke crosses a rule it loses only the rule's pixels.
 */
export function removeRules(image: GrayImage, minLength: number): GrayImage {
  const { width, height } = image;
  const data = image.data.slice();
  const n = width * height;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = image.data[i]! < RULE_LEVEL ? 1 : 0;
  const clear = new Uint8Array(n);
  // Across: a row's run where this row, the one above or the one below has ink.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = y > 0 ? row - width : row;
    const down = y + 1 < height ? row + width : row;
    let start = -1;
    let own = 0;
    for (let x = 0; x <= width; x++) {
      const on = x < width && (mask[row + x]! | mask[up + x]! | mask[down + x]!) === 1;
      if (on) {
        if (start < 0) { start = x; own = 0; }
        own += mask[row + x]!;
      } else if (start >= 0) {
        // Mostly ink on this very row: a rule, not letters of three stacked lines.
        if (x - start >= minLength && own * 2 >= x - start) {
          clear.fill(1, row + start, row + x);
          clear.fill(1, up + start, up + x);
          clear.fill(1, down + start, down + x);
        }
        start = -1;
      }
    }
  }
  // Down: the same per column, tracking each column's current run while going row by row.
  const runStart = new Int32Array(width).fill(-1);
  const runOwn = new Int32Array(width);
  for (let y = 0; y <= height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const on = y < height && (mask[row + x]! | (x > 0 ? mask[row + x - 1]! : 0) | (x + 1 < width ? mask[row + x + 1]! : 0)) === 1;
      if (on) {
        if (runStart[x]! < 0) { runStart[x] = y; runOwn[x] = 0; }
        runOwn[x]! += mask[row + x]!;
      } else if (runStart[x]! >= 0) {
        const from = runStart[x]!;
        if (y - from >= minLength && runOwn[x]! * 2 >= y - from) {
          for (let k = from; k < y; k++) {
            const i = k * width + x;
            clear[i] = 1;
            if (x > 0) clear[i - 1] = 1;
            if (x + 1 < width) clear[i + 1] = 1;
          }
        }
        runStart[x] = -1;
      }
    }
  }
  for (let i = 0; i < n; i++) if (clear[i] && mask[i]) data[i] = 255;
  return { width, height, data };
}

/** Share of pixels darker than {@link INK_LEVEL}. */
export function inkShare(image: GrayImage): number {
  const { data } = image;
  let ink = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! < INK_LEVEL) ink++;
  return data.length ? ink / data.length : 0;
}

/**
 * Shrinks by an integer factor, each pixel the mean of its cell. Thin strokes turn grey rather than
 * vanish, and letters keep their height and gaps (a darkest-pixel shrink would swell them).
 */
export function shrink(image: GrayImage, factor: number): GrayImage {
  if (factor <= 1) return image;
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const cell = factor * factor;
  const column = new Int32Array(width * factor);
  for (let x = 0; x < column.length; x++) column[x] = (x / factor) | 0;
  const sums = new Uint32Array(width);
  const out = new Uint8Array(width * height);
  const src = image.data;
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let dy = 0; dy < factor; dy++) {
      const row = (y * factor + dy) * image.width;
      for (let x = 0; x < column.length; x++) sums[column[x]!]! += src[row + x]!;
    }
    const base = y * width;
    for (let x = 0; x < width; x++) out[base + x] = (sums[x]! / cell + 0.5) | 0;
  }
  return { width, height, data: out };
}

/** Binary PGM (Netpbm P5): a format every Leptonica build reads without a codec. */
export function encodePgm(image: GrayImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const out = new Uint8Array(header.length + image.data.length);
  out.set(header, 0);
  out.set(image.data, header.length);
  return out;
}
