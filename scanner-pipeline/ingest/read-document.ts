/**
 * @module
 * The one seam between the ingest (queue, storage, ledger) and the compute core
 * (`decode/`, `ocr/`, `extract/`, put together by `read/read-scan.ts`): a {@link DocumentReader}
 * turns the bytes of one file into page images, OCR text with layout, and fields, or into a
 * quarantine reason. Everything the ingest needs from the core goes through here:
 *  - `createOcrPool` (ocr/pool.ts): one pool of tesseract.js workers per process, created once;
 *  - `readScan` (read/read-scan.ts): decode + preprocess, language, OCR, extraction of one scan;
 *  - `UnreadableScanError` (decode/errors.ts): the typed quarantine reasons.
 */
import sharp from 'sharp';
import type { FieldTree } from '../archive/fields.ts';
import { isUnreadableScan } from '../decode/errors.ts';
import type { GrayImage } from '../decode/pixels.ts';
import { extractFromText } from '../extract/extract.ts';
import { createOcrPool } from '../ocr/pool.ts';
import { readScan } from '../read/read-scan.ts';

export type DocumentKind = 'birth' | 'marriage';

export interface ReadRequest {
  bytes: Uint8Array;
  /** The file's name, for the record only (the bytes decide the format). */
  fileName: string;
  /** Tesseract languages to consider, e.g. ['rus', 'uzb', 'uzb_cyrl']. */
  languages: string[];
  /** The kind when the operator knows it; otherwise the reader decides. */
  kind?: DocumentKind;
}

export interface ReadPage {
  number: number;
  /** The preprocessed page image as OCR read it. */
  image: Uint8Array;
  imageExtension: string;
  imageContentType: string;
  /** Empty for a blank page, which OCR skips. */
  text: string;
  /** The layout with per-word confidences (hOCR); null for a blank page. */
  hocr: string | null;
  /** Mean word confidence, 0..1. */
  confidence: number;
}

export interface DocumentRead {
  kind: DocumentKind | null;
  /** The language the text was read in (rus, uzb, uzb_cyrl; several joined by + when undecided). */
  language: string | null;
  pages: ReadPage[];
  /** Every read page's text in reading order. */
  text: string;
  confidence: number;
  fields: FieldTree;
}

export type ReadResult =
  | { status: 'read'; document: DocumentRead }
  | { status: 'quarantine'; reason: string; detail: string };

export interface DocumentReader {
  read(request: ReadRequest): Promise<ReadResult>;
  close(): Promise<void>;
}

export interface ReaderOptions {
  tessdataDir: string;
  /** Pages in OCR at once (tesseract.js workers working). */
  concurrency: number;
  languages: string[];
  /** Largest page decoded, in pixels (SCAN_MAX_PIXELS); larger scans go to quarantine. */
  maxPixels?: number;
}

export async function createDocumentReader(options: ReaderOptions): Promise<DocumentReader> {
  const pool = createOcrPool({ tessdataDir: options.tessdataDir, concurrency: options.concurrency });
  return {
    async read(request) {
      let scan;
      try {
        scan = await readScan(request.bytes, { pool, languages: request.languages, kind: request.kind ?? null, decode: { maxPixels: options.maxPixels } });
      } catch (error) {
        if (isUnreadableScan(error)) return { status: 'quarantine', reason: error.reason, detail: error.message };
        throw error;
      }
      const pages = await Promise.all(
        scan.pages.map(async (page, i): Promise<ReadPage> => ({
          number: i + 1,
          image: await png(page.image),
          imageExtension: 'png',
          imageContentType: 'image/png',
          text: page.ocr?.text ?? '',
          hocr: page.ocr?.hocr ?? null,
          confidence: page.ocr?.confidence ?? 0,
        })),
      );
      return {
        status: 'read',
        document: { kind: scan.kind, language: scan.language, pages, text: scan.text, confidence: scan.confidence, fields: scan.fields as FieldTree },
      };
    },
    close: () => pool.close(),
  };
}

/** The page as stored: lossless grey PNG, what OCR saw, for an archivist to compare with the text. */
async function png(image: GrayImage): Promise<Uint8Array> {
  const bytes = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The fields of `kind` read again from stored OCR text (when an archivist names the kind). */
export function fieldsFromText(text: string, language: string | null, kind: DocumentKind): FieldTree {
  return extractFromText(text, { language: language ?? '', kind }).fields as FieldTree;
}
