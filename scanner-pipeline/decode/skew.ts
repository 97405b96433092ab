/**
 * @module
 * Skew estimation by projection profiles: when the page is rotated so that its text lines run
 * horizontally, the row sums of ink are sharply peaked (lines) and empty between them, so their
 * variance (here the sum of squares, the count being fixed) is largest. This is the method of
 * Postl (1986) and of Leptonica's pixFindSkew, over a shrunken binarised page so it costs a few
 * milliseconds.
 */
import { INK_LEVEL, type GrayImage } from './pixels.ts';

export interface SkewOptions {
  /** Largest skew searched, in degrees either way. */
  maxDegrees?: number;
  /** Coarse step, then refined tenfold around the best coarse angle. */
  stepDegrees?: number;
}

/**
 * The angle, in degrees, by which the text lines of the (shrunken, flattened) page descend from
 * left to right; rotate the page by minus this angle (counter-clockwise when positive) to level
 * them. Zero when the page has too little ink to tell.
 */
export function estimateSkew(image: GrayImage, options: SkewOptions = {}): number {
  const maxDegrees = options.maxDegrees ?? 5;
  const step = options.stepDegrees ?? 0.25;
  const points = inkPoints(image);
  if (points.xs.length < 200) return 0;
  const score = (degrees: number) => profileScore(points, image.height, image.width, degrees);
  const coarse = bestAngle(score, -maxDegrees, maxDegrees, step);
  const fine = bestAngle(score, Math.max(coarse - step, -maxDegrees), Math.min(coarse + step, maxDegrees), step / 10);
  // Ties at zero (a page already level) must not drift to a neighbouring angle.
  return Math.abs(fine) < step / 10 ? 0 : Math.round(fine * 100) / 100;
}

interface InkPoints {
  xs: Float32Array;
  ys: Float32Array;
}

/** Ink pixels, at most about `limit` of them (every n-th): the profile's shape needs no more. */
function inkPoints(image: GrayImage, limit = 40_000): InkPoints {
  const { width, height, data } = image;
  let total = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! < INK_LEVEL) total++;
  const stride = Math.max(1, Math.ceil(total / limit));
  const count = Math.ceil(total / stride);
  const xs = new Float32Array(count);
  const ys = new Float32Array(count);
  let k = 0;
  let seen = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! < INK_LEVEL && seen++ % stride === 0) {
        xs[k] = x - width / 2;
        ys[k] = y - height / 2;
        k++;
      }
    }
  }
  return { xs, ys };
}

function profileScore(points: InkPoints, height: number, width: number, degrees: number): number {
  const tan = Math.tan((degrees * Math.PI) / 180);
  const offset = Math.ceil(height / 2 + (width / 2) * Math.abs(tan)) + 1;
  const rows = new Float64Array(offset * 2 + 1);
  const { xs, ys } = points;
  for (let i = 0; i < xs.length; i++) rows[Math.round(ys[i]! - xs[i]! * tan) + offset]!++;
  let sum = 0;
  for (let r = 0; r < rows.length; r++) sum += rows[r]! * rows[r]!;
  return sum;
}

function bestAngle(score: (degrees: number) => number, from: number, to: number, step: number): number {
  let best = 0;
  let bestScore = -Infinity;
  const steps = Math.round((to - from) / step);
  for (let i = 0; i <= steps; i++) {
    const angle = from + i * step;
    const s = score(angle);
    // Prefer the angle nearest zero among equals: an unskewed page stays untouched.
    if (s > bestScore || (s === bestScore && Math.abs(angle) < Math.abs(best))) {
      bestScore = s;
      best = angle;
    }
  }
  return best;
}
