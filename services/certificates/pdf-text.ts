/**
 * @module
 * The text of a PDF written by pdf-lib with embedded (Identity-H) fonts, read back through each
 * font's ToUnicode CMap (ISO 32000-1 §9.10.3), without a PDF renderer: `crvs verify certificate`
 * compares what a certificate prints with the record its evidence proves, and tests read it. Handles exactly what pdf-lib writes: `/F Tf` then `<hex> Tj`, and
 * `beginbfchar` CMaps. Also reports glyph id 0 (.notdef): a character the font does not cover.
 */
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';

export interface PdfText {
  /** One entry per text-showing operation, in drawing order, per page. */
  pages: string[][];
  /** How many glyphs drawn were .notdef (glyph 0). */
  missingGlyphs: number;
}

function streamText(stream: PDFRawStream): string {
  const filter = stream.dict.get(PDFName.of('Filter'));
  const bytes = filter === PDFName.of('FlateDecode') ? inflateSync(stream.contents) : Buffer.from(stream.contents);
  return bytes.toString('latin1');
}

function toUnicodeMap(doc: PDFDocument, font: PDFDict): Map<string, string> {
  const map = new Map<string, string>();
  const ref = font.get(PDFName.of('ToUnicode'));
  const stream = ref instanceof PDFRef ? doc.context.lookup(ref) : undefined;
  if (!(stream instanceof PDFRawStream)) return map;
  for (const [, gid, hex] of streamText(stream).matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) {
    const units: number[] = [];
    for (let i = 0; i < hex!.length; i += 4) units.push(parseInt(hex!.slice(i, i + 4), 16));
    map.set(gid!.toLowerCase(), String.fromCharCode(...units));
  }
  return map;
}

export async function pdfText(bytes: Uint8Array): Promise<PdfText> {
  const doc = await PDFDocument.load(bytes);
  const out: PdfText = { pages: [], missingGlyphs: 0 };
  for (const page of doc.getPages()) {
    const fonts = new Map<string, Map<string, string>>();
    const fontDict = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
    for (const [name, ref] of fontDict?.entries() ?? []) {
      const font = doc.context.lookup(ref, PDFDict);
      fonts.set(name.decodeText(), toUnicodeMap(doc, font));
    }
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
    const texts: string[] = [];
    let current = new Map<string, string>();
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      for (const [, fontName, hex] of streamText(stream).matchAll(/\/([^\s/]+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>\s*Tj/g)) {
        if (fontName) current = fonts.get(fontName) ?? new Map();
        else {
          let text = '';
          for (let i = 0; i < hex!.length; i += 4) {
            const gid = hex!.slice(i, i + 4).toLowerCase();
            if (gid === '0000') out.missingGlyphs++;
            text += current.get(gid) ?? '\uFFFD';
          }
          texts.push(text);
        }
      }
    }
    out.pages.push(texts);
  }
  return out;
}
