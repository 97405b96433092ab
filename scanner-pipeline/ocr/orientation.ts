/**
 * @module
 * Pages stored upside down or sideways (fed into the scanner the wrong way round, with no EXIF tag
 * to say so) are found from the reads the pipeline makes anyway, and turned before they are read
 * in full.
 *
 * A page read upside down is not read badly, it is read as nonsense, and tesseract's confidence
 * drops to a third (corpus-dev turned 180°: identification strips 0.15–0.49 against 0.77–0.96
 * upright; whole pages 0.17–0.28 against 0.86–0.94). So only an unsure read is tried another way
 * round, and a turn is kept only when it reads clearly better: an upright page pays nothing.
 *  - {@link readStripUpright}: the language identification strip (two lines, tens to hundreds of
 *    milliseconds). The page is turned before its full read and its language told from the turned
 *    lines, so it is also read in the right language.
 *  - {@link readPageUpright}: pages no strip was checked on (the later pages of a scan, or every
 *    page when one language is configured and there is no identification pass): a full read that
 *    comes out unsure is checked on strips, and the page read again only if a turn reads better.
 * The turns are tried in order of likelihood and stop at the first sure read: the strip turned
 * 180°, then a strip cut from the page turned 90° and that strip turned 180° (270°). Tesseract's
 * own layout analysis reads some sideways pages, but not in both directions (corpus-dev
 * scan-0001 turned 270° read as nonsense), and not the identification strip.
 *
 * Why not tesseract's orientation detection (OSD): tesseract.js runs it offline with the local
 * osd.traineddata, but only in a worker of its own on the legacy engine, and it costs 0.5–1.1 s a
 * page on the preprocessed pages (native `tesseract --psm 0`: about 3 s on the original files),
 * on every page, against one more strip read of 0.05–0.6 s only when the first is unsure.
 *
 * @example
 * const { page: upright, read } = await readStripUpright(pool, page, strip, 'rus+uzb');
 * upright.turnDegrees; // 180 when the strip read clearly better turned
 */
import type { ScanPage } from '../decode/decode.ts';
import { encodePgm, type GrayImage } from '../decode/pixels.ts';
import type { OcrPool, RecogniseOptions } from './pool.ts';
import type { PageText } from './result.ts';
import { textStrip } from './strip.ts';

export type Turn = ScanPage['turnDegrees'];

/** A strip read at least this clear is taken as upright (corpus-dev: upright ≥ 0.77, turned ≤ 0.49). */
export const UPRIGHT_STRIP_CONFIDENCE = 0.65;
/**
 * Letters a strip read needs for its confidence to count in full. A sideways page's strip cuts
 * across its lines and reads as a few signs ("2 >", "< 5") at confidences up to 0.77: fewer letters
 * count proportionally less. The same count as language identification asks for.
 */
export const CLEAR_READ_LETTERS = 12;
/** A full page read at least this sure is taken as upright (corpus-dev: upright ≥ 0.86, turned ≤ 0.36). */
export const UPRIGHT_PAGE_CONFIDENCE = 0.5;
/**
 * How much surer a turned read must be. Corpus-dev's turned pages gain 0.35–0.77; a page that
 * reads poorly every way (stamps, a mirrored or faded page) stays as scanned.
 */
export const TURN_MARGIN = 0.2;

/** Strip reads: one block of text, no layout, ahead of queued pages. */
const STRIP_READ: RecogniseOptions = { pageSegmentation: '6', textOnly: true, urgent: true };

/** The image turned clockwise by `turn` degrees. */
export function turnImage(image: GrayImage, turn: Turn): GrayImage {
  const { width, height, data } = image;
  if (turn === 0) return image;
  if (turn === 180) return { width, height, data: data.slice().reverse() };
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    // Clockwise, (x, y) goes to (height-1-y, x); counter-clockwise to (y, width-1-x).
    if (turn === 90) for (let x = 0; x < width; x++) out[x * height + (height - 1 - y)] = data[row + x]!;
    else for (let x = 0; x < width; x++) out[(width - 1 - x) * height + y] = data[row + x]!;
  }
  return { width: height, height: width, data: out };
}

/** The page turned clockwise by `turn` degrees, with the turn recorded. */
export function turnPage(page: ScanPage, turn: Turn): ScanPage {
  if (turn === 0) return page;
  return { ...page, image: turnImage(page.image, turn), turnDegrees: ((page.turnDegrees + turn) % 360) as Turn };
}

/**
 * Reads `strip` (lines cut from `page` by {@link textStrip}), and other ways round when that read
 * is unsure; returns the page the right way up and the best read.
 */
export async function readStripUpright(pool: OcrPool, page: ScanPage, strip: GrayImage, language: string): Promise<{ page: ScanPage; read: PageText }> {
  const read = await readStrip(pool, strip, language);
  if (clarity(read) >= UPRIGHT_STRIP_CONFIDENCE) return { page, read };
  const better = await betterTurn(pool, page.image, { strip, read }, language);
  return better ? { page: turnPage(page, better.turn), read: better.read } : { page, read };
}

/**
 * Reads a page in full. When its orientation was not `checked` on a strip already and the read is
 * unsure, strips of it are tried other ways round; if one reads clearly better, the page is read
 * again turned so, and the surer of the two full reads is kept.
 */
export async function readPageUpright(pool: OcrPool, page: ScanPage, language: string, checked: boolean): Promise<ScanPage & { ocr: PageText }> {
  const ocr = await pool.recognise(encodePgm(page.image), language);
  if (checked || ocr.confidence >= UPRIGHT_PAGE_CONFIDENCE) return { ...page, ocr };
  const strip = textStrip(page.image, 2);
  const asIs = strip ? { strip, read: await readStrip(pool, strip, language) } : null;
  if (asIs && clarity(asIs.read) >= UPRIGHT_STRIP_CONFIDENCE) return { ...page, ocr };
  const better = await betterTurn(pool, page.image, asIs, language);
  if (!better) return { ...page, ocr };
  const upright = turnPage(page, better.turn);
  const again = await pool.recognise(encodePgm(upright.image), language);
  return again.confidence > ocr.confidence ? { ...upright, ocr: again } : { ...page, ocr };
}

/**
 * The turn whose strip reads clearly better ({@link clarity}) than the page's strip as it is
 * (`asIs`; null when the page as it is shows no line), trying 180°, 90° and 270° and stopping at
 * the first sure read.
 */
async function betterTurn(pool: OcrPool, image: GrayImage, asIs: { strip: GrayImage; read: PageText } | null, language: string): Promise<{ turn: Turn; read: PageText } | null> {
  const base = asIs ? clarity(asIs.read) : 0;
  let best: { turn: Turn; read: PageText; clarity: number } | null = null;
  const sure = (turn: Turn, read: PageText): boolean => {
    const c = clarity(read);
    if (c > (best?.clarity ?? base)) best = { turn, read, clarity: c };
    return c >= UPRIGHT_STRIP_CONFIDENCE;
  };
  if (!(asIs && sure(180, await readStrip(pool, turnImage(asIs.strip, 180), language)))) {
    // A strip cut from the page turned 90° (its lines are found across the turned page), and the
    // same strip turned 180° for a page turned the other way.
    const side = textStrip(turnImage(image, 90), 2);
    if (side && !sure(90, await readStrip(pool, side, language))) sure(270, await readStrip(pool, turnImage(side, 180), language));
  }
  const found = best as { turn: Turn; read: PageText; clarity: number } | null;
  return found && found.clarity >= base + TURN_MARGIN ? { turn: found.turn, read: found.read } : null;
}

/** A strip read's confidence, counted in proportion when it holds fewer than {@link CLEAR_READ_LETTERS} letters. */
export function clarity(read: PageText): number {
  const letters = read.text.match(/\p{L}/gu)?.length ?? 0;
  return read.confidence * Math.min(1, letters / CLEAR_READ_LETTERS);
}

const readStrip = (pool: OcrPool, strip: GrayImage, language: string) => pool.recognise(encodePgm(strip), language, STRIP_READ);
