/**
 * @module
 * What the pipeline keeps of a tesseract.js recognition: the text in reading order, every line and
 * word with its box and confidence (0..1), and the hOCR document (the layout as tesseract wrote it,
 * kept verbatim for the archive).
 */
import type Tesseract from 'tesseract.js';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0..1 */
  confidence: number;
  box: Box;
}

export interface OcrLine {
  text: string;
  confidence: number;
  box: Box;
  words: OcrWord[];
}

export interface PageText {
  /** The tesseract language (set) the page was read with. */
  language: string;
  /** Lines in reading order joined by `\n`, without tesseract's blank lines between blocks. */
  text: string;
  /** Mean word confidence weighted by word length, 0..1; 0 for a page without words. */
  confidence: number;
  lines: OcrLine[];
  hocr: string | null;
}

const box = (b: Tesseract.Bbox): Box => ({ x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 });

export function toPageText(page: Tesseract.Page, language: string): PageText {
  const lines: OcrLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const words = line.words
          .filter((w) => w.text.trim() !== '')
          .map((w) => ({ text: w.text, confidence: w.confidence / 100, box: box(w.bbox) }));
        if (words.length === 0) continue;
        lines.push({ text: words.map((w) => w.text).join(' '), confidence: line.confidence / 100, box: box(line.bbox), words });
      }
    }
  }
  const text = page.blocks ? lines.map((l) => l.text).join('\n') : compactText(page.text);
  return { language, text, confidence: meanConfidence(lines, page), lines, hocr: page.hocr ?? null };
}

/** Tesseract's plain text without empty lines and trailing spaces. */
export function compactText(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .join('\n');
}

function meanConfidence(lines: OcrLine[], page: Tesseract.Page): number {
  let weighted = 0;
  let letters = 0;
  for (const line of lines) {
    for (const word of line.words) {
      weighted += word.confidence * word.text.length;
      letters += word.text.length;
    }
  }
  if (letters > 0) return weighted / letters;
  return lines.length === 0 && page.text.trim() !== '' ? page.confidence / 100 : 0;
}
