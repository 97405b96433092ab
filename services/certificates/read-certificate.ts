/**
 * @module
 * Reads the verification link back out of a certificate PDF, without rendering it: every image
 * XObject of the document is decoded (pdf-lib to walk the objects, zlib for FlateDecode, ISO 32000-1
 * §7.4.4) into RGBA pixels and handed to jsQR, and the first QR code that holds a verification
 * link wins. This reads the certificates this service prints (8-bit DeviceRGB or DeviceGray,
 * Flate without predictor, as pdf-lib writes PNGs); a scan of a printed certificate needs a camera.
 *
 * @example
 *   const found = await readCertificateLink(readFileSync('certificate.pdf'));
 *   found.link  // { recordId, version, commitment }
 */
import { inflateSync } from 'node:zlib';
import jsQRModule from 'jsqr';
import { PDFDocument, PDFName, PDFNumber, PDFRawStream, type PDFDict } from 'pdf-lib';
import { RegistryError } from '../errors.ts';
import { parseVerificationUrl, type VerificationLink } from './verification-link.ts';

export interface CertificateLink {
  /** The text of the QR code. */
  url: string;
  link: VerificationLink;
}

/** Throws `validation-failed` when the file is not a PDF or holds no verification QR code. */
export async function readCertificateLink(pdf: Uint8Array): Promise<CertificateLink> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false });
  } catch (error) {
    throw new RegistryError('validation-failed', `not a readable PDF: ${(error as Error).message}`, { cause: error });
  }
  const texts: string[] = [];
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream) || object.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    const image = decodeImage(object);
    if (!image) continue;
    const code = jsQR(image.data, image.width, image.height);
    if (!code) continue;
    texts.push(code.data);
    const link = parseVerificationUrl(code.data);
    if (link) return { url: code.data, link };
  }
  const detail = texts.length ? `its QR code does not hold a verification link (${JSON.stringify(texts[0])})` : 'no QR code found in its images';
  throw new RegistryError('validation-failed', `not a certificate of this registry: ${detail}`);
}

// jsQR is a CommonJS bundle whose typings declare an ES default export: under Node's ESM interop
// the default import is `module.exports` (the function, which also carries `.default`).
const jsQR = jsQRModule as unknown as (typeof jsQRModule)['default'];

interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

function decodeImage(stream: PDFRawStream): Pixels | undefined {
  const dict = stream.dict;
  const width = numberOf(dict, 'Width');
  const height = numberOf(dict, 'Height');
  const filter = dict.get(PDFName.of('Filter'));
  const space = dict.get(PDFName.of('ColorSpace'));
  if (!width || !height || numberOf(dict, 'BitsPerComponent') !== 8 || dict.get(PDFName.of('DecodeParms'))) return undefined;
  const channels = space === PDFName.of('DeviceRGB') ? 3 : space === PDFName.of('DeviceGray') ? 1 : 0;
  if (!channels) return undefined;
  let raw: Uint8Array;
  try {
    raw = filter === PDFName.of('FlateDecode') ? inflateSync(stream.contents) : filter === undefined ? stream.contents : new Uint8Array();
  } catch {
    return undefined;
  }
  if (raw.length !== width * height * channels) return undefined;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, o = 0; o < data.length; i += channels, o += 4) {
    data[o] = raw[i]!;
    data[o + 1] = raw[i + (channels === 3 ? 1 : 0)]!;
    data[o + 2] = raw[i + (channels === 3 ? 2 : 0)]!;
    data[o + 3] = 255;
  }
  return { data, width, height };
}

function numberOf(dict: PDFDict, key: string): number | undefined {
  const value = dict.get(PDFName.of(key));
  return value instanceof PDFNumber ? value.asNumber() : undefined;
}
