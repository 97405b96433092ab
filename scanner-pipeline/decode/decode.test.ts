import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeScan } from './decode.ts';
import { isUnreadableScan, type UnreadableReason } from './errors.ts';
import { shrink } from './pixels.ts';
import { estimateSkew } from './skew.ts';

const corpus = path.resolve(fileURLToPath(new URL('../../../shared/corpus-dev', import.meta.url)));
const read = (file: string) => readFileSync(path.join(corpus, file));
const expectations = JSON.parse(read('bad/expect.json').toString()) as Array<{ file: string; expect: string }>;
const manifest = JSON.parse(read('manifest.json').toString()) as Array<{ id: string; file: string; pages: number }>;

async function reasonOf(bytes: Uint8Array, options = {}): Promise<UnreadableReason | 'decoded'> {
  try {
    await decodeScan(bytes, options);
    return 'decoded';
  } catch (error) {
    if (isUnreadableScan(error)) return error.reason;
    throw error;
  }
}

describe('inputs an ingest must survive (corpus-dev/bad)', () => {
  // What each bad/expect.json entry must produce at decoding; `duplicate` is the ingest's
  // business (same SHA-256): the copy decodes like its original.
  const reasons: Record<string, UnreadableReason | 'decoded'> = {
    'empty.jpg': 'empty-file',
    'truncated.jpg': 'truncated',
    'notes.png': 'not-an-image',
    'huge.png': 'too-many-pixels',
    'register.pdf': 'unsupported-format',
    'copy-of-scan.jpg': 'decoded',
    'blank.jpg': 'blank-page',
  };

  it('has a decoding outcome for every file expect.json lists', () => {
    expect(expectations.map((e) => e.file).sort()).toEqual(Object.keys(reasons).sort());
  });

  it.each(Object.entries(reasons))('%s → %s', async (file, reason) => {
    expect(await reasonOf(read(`bad/${file}`))).toBe(reason);
  });

  it('quarantines every file expect.json says to quarantine, and flags the blank page', async () => {
    for (const e of expectations.filter((x) => x.expect === 'quarantine')) expect(await reasonOf(read(`bad/${e.file}`))).not.toBe('decoded');
    for (const e of expectations.filter((x) => x.expect === 'blank')) expect(await reasonOf(read(`bad/${e.file}`))).toBe('blank-page');
  });

  it('the duplicate is byte-identical to its original', () => {
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(read('bad/copy-of-scan.jpg'))).toBe(sha(read('images/scan-db31-0012.jpg')));
  });
});

describe('good scans', () => {
  it('decode to the number of pages in the manifest, none blank', async () => {
    for (const doc of manifest) {
      const scan = await decodeScan(read(doc.file));
      expect(scan.pages.map((p) => p.blank), doc.id).toEqual(new Array(doc.pages).fill(false));
    }
  }, 120_000);

  it('apply the EXIF orientation: a phone photo stored sideways comes out upright', async () => {
    const bytes = read('images/scan-db31-0012.jpg');
    const stored = await sharp(bytes).metadata();
    const page = (await decodeScan(bytes)).pages[0]!;
    expect(stored.width! > stored.height!).toBe(true);
    expect(page.image.height > page.image.width).toBe(true);
  });

  it('level a page turned by a known angle', async () => {
    const bytes = read('images/scan-db31-0011.jpg');
    const level = (await decodeScan(bytes)).pages[0]!.skewDegrees;
    const turned = await sharp(bytes).rotate(3, { background: '#ffffff' }).jpeg().toBuffer();
    const found = (await decodeScan(turned)).pages[0]!.skewDegrees;
    expect(Math.abs(found - level - 3)).toBeLessThan(0.3);
  });

  it('hand OCR level lines', async () => {
    for (const file of ['images/scan-db31-0009.png', 'images/scan-db31-0007.tiff']) {
      const page = (await decodeScan(read(file))).pages[0]!;
      expect(Math.abs(page.skewDegrees)).toBeGreaterThan(1);
      expect(Math.abs(estimateSkew(shrink(page.image, 2)))).toBeLessThan(0.3);
    }
  });

  it('refuse a page larger than the configured pixel limit', async () => {
    expect(await reasonOf(read('images/scan-db31-0002.jpg'), { maxPixels: 1_000_000 })).toBe('too-many-pixels');
  });

  it('bring letters to the height OCR reads best, without upscaling 200 dpi scans', async () => {
    const at300 = (await decodeScan(read('images/scan-db31-0001.png'))).pages[0]!;
    const at200 = (await decodeScan(read('images/scan-db31-0007.tiff'))).pages[0]!;
    expect(at300.scale).toBeLessThan(0.85);
    expect(at300.glyphHeight * at300.scale).toBeCloseTo(18, 0);
    expect(at200.scale).toBe(1);
  });
});

describe('multi-page TIFF', () => {
  it('reads every page, and flags a blank one without failing the document', async () => {
    const text = await sharp(read('images/scan-db31-0007.tiff')).grayscale().toBuffer();
    const { width, height } = await sharp(text).metadata();
    const white = await sharp({ create: { width: width!, height: height!, channels: 3, background: '#ffffff' } }).grayscale().png().toBuffer();
    const tiff = await sharp([text, white, text], { join: { animated: true } }).tiff().toBuffer();
    const scan = await decodeScan(tiff);
    expect(scan.format).toBe('tiff');
    expect(scan.pages.map((p) => p.blank)).toEqual([false, true, false]);
  });
});
