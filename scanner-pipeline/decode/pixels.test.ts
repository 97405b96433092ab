import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { classifyBytes, classifySharpError } from './sniff.ts';
import { flattenBackground, inkShare, removeRules, shrink, type GrayImage } from './pixels.ts';
import { estimateSkew } from './skew.ts';
import { glyphStats } from './glyphs.ts';

const image = (width: number, height: number, pixel: (x: number, y: number) => number): GrayImage => {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = pixel(x, y);
  return { width, height, data };
};
const at = (im: GrayImage, x: number, y: number) => im.data[y * im.width + x]!;

/** Rows of "words" (short bars) like a page of text, turned by `degrees`. */
async function textLike(degrees: number): Promise<GrayImage> {
  const words = [];
  for (let line = 0; line < 30; line++) for (let w = 0; w < 8; w++) words.push(`<rect x="${80 + w * 100 + (line % 3) * 7}" y="${80 + line * 40}" width="${60 + ((line * w) % 5) * 5}" height="14"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1400"><rect width="1000" height="1400" fill="white"/><g transform="rotate(${degrees} 500 700)">${words.join('')}</g></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).grayscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

describe('flattenBackground', () => {
  it('turns shaded paper white and keeps ink dark', () => {
    // Paper darkening from 250 to 150 across the page (a shadow), with an ink stroke in the shade.
    const page = image(600, 400, (x, y) => (x > 500 && x < 504 && y > 100 && y < 300 ? 40 : 250 - (x / 600) * 100));
    const flat = flattenBackground(page);
    expect(at(flat, 450, 200)).toBeGreaterThan(235);
    expect(at(flat, 20, 200)).toBeGreaterThan(235);
    expect(at(flat, 502, 200)).toBeLessThan(90);
  });
});

describe('removeRules', () => {
  it('whitens long rules and frames but not letters', () => {
    const page = image(400, 300, (x, y) => (y === 150 && x > 20 && x < 380) || (x === 10 && y > 10 && y < 290) || (x > 100 && x < 104 && y > 120 && y < 148) ? 0 : 255);
    const clean = removeRules(page, 100);
    expect(at(clean, 200, 150)).toBe(255);
    expect(at(clean, 10, 100)).toBe(255);
    expect(at(clean, 102, 130)).toBe(0);
  });
});

describe('shrink, inkShare, glyphStats', () => {
  it('averages cells, measures ink, and finds the height of letter-sized marks', () => {
    const page = image(400, 400, (x, y) => ((x % 20) < 8 && y >= 40 && y < 52 ? 0 : 255));
    expect(shrink(page, 2).width).toBe(200);
    expect(at(shrink(page, 2), 1, 20)).toBe(0);
    expect(at(shrink(page, 2), 4, 20)).toBe(255);
    expect(inkShare(page)).toBeCloseTo(0.012, 4);
    expect(glyphStats(page)).toEqual({ count: 20, medianHeight: 12 });
  });
});

describe('estimateSkew', () => {
  it.each([0, 2.5, -3.2, 4.5])('finds lines turned by %s°', async (degrees) => {
    expect(estimateSkew(await textLike(degrees))).toBeCloseTo(degrees, 0);
    expect(Math.abs(estimateSkew(await textLike(degrees)) - degrees)).toBeLessThan(0.2);
  });

  it('says 0 for a page without ink', () => {
    expect(estimateSkew(image(300, 300, () => 255))).toBe(0);
  });
});

describe('sniffing', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it('knows scans by their magic bytes, never their names', () => {
    expect(classifyBytes(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(classifyBytes(new Uint8Array([0x4d, 0x4d, 0x00, 0x2a]))).toBe('tiff');
  });

  it('names what is not a scan', () => {
    const reason = (b: Uint8Array) => {
      try {
        classifyBytes(b);
        return 'scan';
      } catch (e) {
        return (e as { reason: string }).reason;
      }
    };
    expect(reason(new Uint8Array())).toBe('empty-file');
    expect(reason(bytes('%PDF-1.7\n'))).toBe('unsupported-format');
    expect(reason(bytes('GIF89a....'))).toBe('unsupported-format');
    expect(reason(bytes('Опись № 3. Дело 117.'))).toBe('not-an-image');
    expect(reason(new Uint8Array([0, 1, 2, 3, 250, 251, 0, 9, 8, 7]))).toBe('not-an-image');
  });

  it('maps libvips failures to reasons', () => {
    expect(classifySharpError(new Error('Input image exceeds pixel limit')).reason).toBe('too-many-pixels');
    expect(classifySharpError(new Error('VipsJpeg: premature end of JPEG image')).reason).toBe('truncated');
  });
});
