/**
 * @module
 * Reads a scan (JPEG, PNG, TIFF with any number of pages) into page images prepared for OCR, or
 * refuses it with an {@link UnreadableScanError} whose reason the quarantine keeps.
 *
 * Per page: decode with a pixel limit (decompression bombs), apply the EXIF orientation, grey,
 * flatten the paper, measure skew, letter size and ink on a shrunken copy (blank pages stop here),
 * then rescale so the letters have the height the recogniser reads best, level, stretch the
 * contrast and remove the form's printed rules.
 *
 * @example
 * const scan = await decodeScan(await readFile('scan.tiff'));
 * for (const page of scan.pages) if (!page.blank) await ocr.recognise(encodePgm(page.image));
 */
import sharp from 'sharp';
import { UnreadableScanError } from './errors.ts';
import { glyphStats } from './glyphs.ts';
import { flattenBackground, inkShare, removeRules, shrink, stretchContrast, type GrayImage } from './pixels.ts';
import { estimateSkew } from './skew.ts';
import { classifyBytes, classifySharpError, type ScanFormat } from './sniff.ts';

export interface DecodeOptions {
  /** Largest page, in pixels, decoded at all (default 100 megapixels). */
  maxPixels?: number;
  /** Median letter height, in pixels, pages are scaled to (default {@link DEFAULT_GLYPH_HEIGHT}). */
  glyphHeight?: number;
  /** A page with fewer glyph-like ink components than this is blank (default 8). */
  minGlyphs?: number;
}

/**
 * Median letter height pages are brought to. Measured on corpus-dev with tesseract.js (before rule
 * removal was added): 18 read best (CER 0.044 against 0.049 unscaled and 0.054 at 26); 200 dpi scans (13–18 px) are left as
 * they are, 300 dpi ones shrunk, which also makes their layout analysis cheaper.
 */
export const DEFAULT_GLYPH_HEIGHT = 18;
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface ScanPage {
  /** 0-based position of the page in the file. */
  index: number;
  /** Nothing printed or written on it: OCR skips it. */
  blank: boolean;
  /** The page as OCR reads it: grey, flattened, levelled, rescaled. */
  image: GrayImage;
  /** Skew found and removed, degrees (positive: lines descended to the right). */
  skewDegrees: number;
  /**
   * Clockwise turn applied because the page was stored upside down or sideways without an EXIF
   * orientation saying so. Decoding leaves it 0: the turn is found by reading (ocr/orientation.ts).
   */
  turnDegrees: 0 | 90 | 180 | 270;
  /** Factor applied to the decoded size. */
  scale: number;
  /** Median letter height on the decoded page, pixels. */
  glyphHeight: number;
  original: { width: number; height: number };
}

export interface DecodedScan {
  format: ScanFormat;
  pages: ScanPage[];
}

/** Decodes and preprocesses every page; throws {@link UnreadableScanError} when none can be read. */
export async function decodeScan(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedScan> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const format = classifyBytes(bytes);
  let pageCount: number;
  try {
    const meta = await sharp(bytes, { limitInputPixels: maxPixels }).metadata();
    if ((meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0) > maxPixels) {
      throw new UnreadableScanError('too-many-pixels', `${meta.width} x ${meta.height} pixels, limit ${maxPixels}`);
    }
    pageCount = meta.pages ?? 1;
  } catch (error) {
    throw classifySharpError(error);
  }
  const pages: ScanPage[] = [];
  for (let index = 0; index < pageCount; index++) pages.push(await preparePage(bytes, index, options, maxPixels));
  if (pages.every((p) => p.blank)) {
    throw new UnreadableScanError('blank-page', pageCount === 1 ? 'the page is empty' : `all ${pageCount} pages are empty`);
  }
  return { format, pages };
}

async function preparePage(bytes: Uint8Array, index: number, options: DecodeOptions, maxPixels: number): Promise<ScanPage> {
  const grey = await decodeGrey(bytes, index, maxPixels);
  const original = { width: grey.width, height: grey.height };
  // Flatten where the paper is (turning first would bring white corners into the paper estimate),
  // measure on a shrunken copy, then level and scale once.
  const flat = flattenBackground(grey);
  const factor = Math.max(1, Math.round(Math.min(grey.width, grey.height) / 700));
  const small = shrink(flat, factor);
  const glyphs = glyphStats(small);
  const glyphHeight = glyphs.medianHeight * factor;
  if (glyphs.count < (options.minGlyphs ?? 8) || inkShare(small) < 0.0005) {
    return { index, blank: true, image: flat, skewDegrees: 0, turnDegrees: 0, scale: 1, glyphHeight, original };
  }
  const skewDegrees = estimateSkew(small);
  const scale = scaleFor(glyphHeight, options.glyphHeight ?? DEFAULT_GLYPH_HEIGHT);
  const levelled = await levelAndScale(flat, skewDegrees, scale);
  const image = removeRules(stretchContrast(levelled, 225), Math.round(Math.max(glyphHeight * scale, 10) * 6));
  return { index, blank: false, image, skewDegrees, turnDegrees: 0, scale, glyphHeight, original };
}

async function decodeGrey(bytes: Uint8Array, page: number, maxPixels: number): Promise<GrayImage> {
  try {
    const input = sharp(bytes, { page, limitInputPixels: maxPixels, autoOrient: true });
    const { channels, hasAlpha } = await input.metadata();
    const flat = hasAlpha ? input.flatten({ background: '#ffffff' }) : input;
    // Colour scans: the green channel. It carries most of the luminance, keeps yellowed paper light
    // (yellow is red and green) and red or blue ink dark, and costs no colour conversion.
    const grey = (channels ?? 1) >= 3 ? flat.extractChannel('green') : flat.extractChannel(0);
    const { data, info } = await grey.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw classifySharpError(error);
  }
}

/**
 * Downscale large letters (costly to segment, no more accurate), upscale only tiny ones, and leave
 * the rest: resampling blurs strokes, so a page near the target is read as scanned.
 */
export function scaleFor(glyphHeight: number, target: number): number {
  if (glyphHeight <= 0 || target <= 0) return 1;
  const scale = target / glyphHeight;
  if (scale < 0.85) return Math.max(scale, 0.25);
  if (scale > 1.5) return Math.min(scale, 3);
  return 1;
}

/** Skews below this are left to the recogniser (a fraction of a pixel per letter). */
const MIN_SKEW_DEGREES = 0.3;

/**
 * Turns the page level (white where it leaves the canvas) and scales it, in one libvips pipeline;
 * Lanczos when shrinking, so thin strokes do not alias. Measured on corpus-dev, an interpolated
 * rotation reads better than a cheaper two-shear rotation (whose one-pixel steps split letters)
 * or a single bilinear affine transform.
 */
async function levelAndScale(image: GrayImage, skewDegrees: number, scale: number): Promise<GrayImage> {
  const level = Math.abs(skewDegrees) >= MIN_SKEW_DEGREES;
  if (!level && scale === 1) return image;
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } });
  // Scale first: the rotation then resamples fewer pixels.
  if (scale !== 1) pipeline = pipeline.resize({ width: Math.round(image.width * scale), kernel: scale < 1 ? 'lanczos3' : 'cubic' });
  if (level) pipeline = pipeline.rotate(-skewDegrees, { background: { r: 255, g: 255, b: 255 } });
  const { data, info } = await pipeline.extractChannel(0).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
