/**
 * @module
 * The printable certificate: one A4 page (ISO 216, 595.28 × 841.89 pt), bilingual Uzbek (Latin) and
 * Russian, with the verification QR code.
 *
 * pdf-lib draws, fontkit embeds DejaVu Sans (Debian's font, covering Uzbek Latin oʻ gʻ with U+02BB,
 * the tutuq belgisi U+02BC, and Cyrillic) as a subset, so a certificate is ~60 KB and looks the same
 * in every viewer and printer. The QR code is a PNG image XObject, one module per 8 pixels, drawn
 * at 36 mm: 0.7 mm per module at version 6, well above what phone cameras need from paper.
 *
 * @example
 *   const pdf = await renderCertificate(certificate);   // Uint8Array, application/pdf
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { RegistryError } from '../errors.ts';
import { qrPng } from './verification-link.ts';
import { CERTIFICATE_TITLES, LABELS, formatDate, type Certificate, type Bilingual } from './certificate.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const MM = 72 / 25.4;
const QR_SIZE = 36 * MM;
const INK = rgb(0.08, 0.1, 0.14);
const MUTED = rgb(0.33, 0.36, 0.4);
const ACCENT = rgb(0.0, 0.33, 0.45);

let fontFiles: { regular: Uint8Array; bold: Uint8Array } | undefined;

// Parsing a 700 KB TrueType file is most of a certificate's rendering time. fontkit fonts are only
// read when pdf-lib lays out and subsets text, so one parsed font per file serves every document.
const parsedFonts = new Map<Uint8Array, ReturnType<typeof fontkit.create>>();
const sharedFontkit: typeof fontkit = {
  ...fontkit,
  create(data, postscriptName) {
    let font = parsedFonts.get(data);
    if (!font) parsedFonts.set(data, (font = fontkit.create(data, postscriptName)));
    return font;
  },
};

/** DejaVu Sans from the `dejavu-fonts-ttf` package, read once per process. */
function fonts(): { regular: Uint8Array; bold: Uint8Array } {
  if (!fontFiles) {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontFiles = { regular: readFileSync(path.join(dir, 'DejaVuSans.ttf')), bold: readFileSync(path.join(dir, 'DejaVuSans-Bold.ttf')) };
  }
  return fontFiles;
}

interface Pen {
  page: PDFPage;
  y: number;
  regular: PDFFont;
  bold: PDFFont;
}

export async function renderCertificate(certificate: Certificate): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(sharedFontkit);
  const files = fonts();
  const regular = await doc.embedFont(files.regular, { subset: true });
  const bold = await doc.embedFont(files.bold, { subset: true });
  const title = CERTIFICATE_TITLES[certificate.kind];
  doc.setTitle(`${title.uz} / ${title.ru} ${certificate.registrationNumber}`);
  doc.setSubject(certificate.verificationUrl);
  doc.setLanguage('uz-Latn');
  doc.setProducer('crvs');
  doc.setCreator('crvs certificates');
  doc.setCreationDate(certificate.issuedAt);
  doc.setModificationDate(certificate.issuedAt);

  const page = doc.addPage(A4);
  const pen: Pen = { page, y: A4[1] - MARGIN, regular, bold };
  drawFrame(page);
  drawHeader(pen, certificate);
  for (const section of certificate.sections) {
    if (section.heading) drawSectionHeading(pen, section.heading);
    for (const field of section.fields) drawField(pen, field.label, field.value);
  }
  await drawFooter(doc, pen, certificate);
  return doc.save();
}

function drawFrame(page: PDFPage): void {
  const inset = MARGIN / 2;
  page.drawRectangle({ x: inset, y: inset, width: A4[0] - 2 * inset, height: A4[1] - 2 * inset, borderColor: ACCENT, borderWidth: 1.5 });
  page.drawRectangle({ x: inset + 4, y: inset + 4, width: A4[0] - 2 * inset - 8, height: A4[1] - 2 * inset - 8, borderColor: ACCENT, borderWidth: 0.5 });
}

function centred(pen: Pen, text: string, font: PDFFont, size: number, color = INK): void {
  const width = font.widthOfTextAtSize(text, size);
  pen.y -= size * 1.35;
  pen.page.drawText(text, { x: (A4[0] - width) / 2, y: pen.y, size, font, color });
}

function drawHeader(pen: Pen, certificate: Certificate): void {
  pen.y -= 6;
  centred(pen, 'OʻZBEKISTON RESPUBLIKASI', pen.bold, 13);
  centred(pen, 'РЕСПУБЛИКА УЗБЕКИСТАН', pen.regular, 11, MUTED);
  pen.y -= 14;
  const title = CERTIFICATE_TITLES[certificate.kind];
  centred(pen, title.uz, pen.bold, 17, ACCENT);
  centred(pen, title.ru, pen.bold, 14, ACCENT);
  pen.y -= 12;
  centred(pen, `${LABELS.registrationNumber.uz} / ${LABELS.registrationNumber.ru}`, pen.regular, 8.5, MUTED);
  centred(pen, certificate.registrationNumber, pen.bold, 15);
  centred(pen, `${LABELS.registeredOn.uz} / ${LABELS.registeredOn.ru}: ${formatDate(certificate.registeredOn)}`, pen.regular, 9.5);
  pen.y -= 10;
}

function drawSectionHeading(pen: Pen, heading: Bilingual): void {
  pen.y -= 22;
  pen.page.drawText(`${heading.uz} / ${heading.ru}`, { x: MARGIN, y: pen.y, size: 11, font: pen.bold, color: ACCENT });
  pen.y -= 5;
  pen.page.drawLine({ start: { x: MARGIN, y: pen.y }, end: { x: A4[0] - MARGIN, y: pen.y }, thickness: 0.5, color: ACCENT });
}

const LABEL_WIDTH = 190;

function drawField(pen: Pen, label: Bilingual, value: string): void {
  const valueX = MARGIN + LABEL_WIDTH;
  const lines = wrap(value, pen.regular, 11, A4[0] - MARGIN - valueX);
  pen.y -= 15;
  pen.page.drawText(label.uz, { x: MARGIN, y: pen.y, size: 8.5, font: pen.regular, color: MUTED });
  pen.page.drawText(label.ru, { x: MARGIN, y: pen.y - 10, size: 8.5, font: pen.regular, color: MUTED });
  lines.forEach((line, i) => pen.page.drawText(line, { x: valueX, y: pen.y - i * 14, size: 11, font: pen.regular, color: INK }));
  pen.y -= Math.max(10, (lines.length - 1) * 14) + 4;
}

/** Greedy word wrap; a word longer than the line is cut. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width || !line) line = candidate;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

async function drawFooter(doc: PDFDocument, pen: Pen, certificate: Certificate): Promise<void> {
  const { page, regular, bold } = pen;
  const bottom = MARGIN + 8;
  const qr = await doc.embedPng(await qrPng(certificate.verificationUrl));
  const qrX = A4[0] - MARGIN - QR_SIZE;
  page.drawImage(qr, { x: qrX, y: bottom, width: QR_SIZE, height: QR_SIZE });

  const textWidth = qrX - MARGIN - 16;
  let y = bottom + QR_SIZE - 8;
  const line = (label: Bilingual, value: string) => {
    page.drawText(`${label.uz} / ${label.ru}`, { x: MARGIN, y, size: 8, font: regular, color: MUTED });
    for (const part of wrap(value, regular, 10, textWidth)) {
      y -= 12;
      page.drawText(part, { x: MARGIN, y, size: 10, font: regular, color: INK });
    }
    y -= 14;
  };
  line(LABELS.office, certificate.office);
  line(LABELS.issuedOn, formatDate(certificate.issuedAt));
  line(LABELS.recordVersion, `${certificate.version}`);

  const caption = [`${LABELS.verify.uz}:`, `${LABELS.verify.ru}:`];
  let captionY = bottom + QR_SIZE + 22;
  for (const text of caption) {
    page.drawText(text, { x: qrX + QR_SIZE - bold.widthOfTextAtSize(text, 8), y: captionY, size: 8, font: bold, color: INK });
    captionY -= 10;
  }
  // The link in print too, for a reader without a camera (and the commitment for an auditor).
  page.drawText(certificate.verificationUrl, { x: MARGIN, y: bottom - 14, size: 6.5, font: regular, color: MUTED });
  if (pen.y < bottom + QR_SIZE + 40) {
    // Fields ran into the footer: never print an overlapping certificate.
    throw new RegistryError('internal', `certificate ${certificate.registrationNumber} does not fit on one page`);
  }
}
