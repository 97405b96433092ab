/**
 * @module
 * Where each tesseract language's model comes from: local files only, never the network
 * (tesseract.js would otherwise download from a CDN). Debian's `tesseract-ocr-<lang>` packages put
 * `<lang>.traineddata` under TESSDATA_DIR; English also ships with the `@tesseract.js-data/eng` npm
 * package (gzip-compressed). A language that is not installed is a clear configuration error naming
 * the package to install.
 */
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RegistryError } from '../../services/errors.ts';

/** Debian packages that install each language the registry reads. */
export const DEBIAN_PACKAGES: Record<string, string> = {
  rus: 'tesseract-ocr-rus',
  uzb: 'tesseract-ocr-uzb',
  uzb_cyrl: 'tesseract-ocr-uzb-cyrl',
  eng: 'tesseract-ocr-eng',
};

const LANGUAGE_CODE = /^[a-z]{3}(_[a-z]+)?$/;

/** A language given but not installed (or not a tesseract language code at all). */
export class MissingLanguageError extends RegistryError {
  readonly language: string;
  constructor(language: string, tessdataDir: string) {
    const pkg = DEBIAN_PACKAGES[language] ?? `tesseract-ocr-${language.replace(/_/g, '-')}`;
    const message = LANGUAGE_CODE.test(language)
      ? `OCR language ${language} is not installed: no ${language}.traineddata in ${tessdataDir} (install the Debian package ${pkg}: apt-get install ${pkg}, or set TESSDATA_DIR)`
      : `${JSON.stringify(language)} is not a tesseract language code (e.g. rus, uzb, uzb_cyrl)`;
    super('config-invalid', message, { field: 'languages', details: { language, package: pkg, tessdataDir } });
    this.name = 'MissingLanguageError';
    this.language = language;
  }
}

/** Splits `rus+uzb+uzb_cyrl` (or an array) into distinct language codes, in order. */
export function parseLanguages(languages: string | readonly string[]): string[] {
  const list = typeof languages === 'string' ? languages.split('+') : [...languages];
  return [...new Set(list.map((l) => l.trim()).filter(Boolean))];
}

/** The model file of one language: TESSDATA_DIR first, then the bundled English. */
export function modelFile(language: string, tessdataDir: string): string {
  if (!LANGUAGE_CODE.test(language)) throw new MissingLanguageError(language, tessdataDir);
  const debian = path.join(tessdataDir, `${language}.traineddata`);
  if (existsSync(debian)) return debian;
  if (language === 'eng') {
    const bundled = bundledEnglish();
    if (bundled) return bundled;
  }
  throw new MissingLanguageError(language, tessdataDir);
}

function bundledEnglish(): string | undefined {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json'));
    // LSTM-only integer model: what the LSTM-only engine loads, and the smaller of the two.
    const file = path.join(dir, '4.0.0_best_int', 'eng.traineddata.gz');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One directory holding `<lang>.traineddata` for every language asked for, as tesseract.js wants
 * (one `langPath` per worker). TESSDATA_DIR itself when it has them all; otherwise links in a fresh
 * directory under the system's temporary directory (tesseract.js recognises gzip by its magic
 * bytes, so the bundled `.gz` can be linked under the plain name). Throws
 * {@link MissingLanguageError} for the first language not installed.
 */
export function languageDirectory(languages: readonly string[], tessdataDir: string): string {
  const files = languages.map((l) => [l, modelFile(l, tessdataDir)] as const);
  if (files.every(([l, f]) => f === path.join(tessdataDir, `${l}.traineddata`))) return tessdataDir;
  const dir = mkdtempSync(path.join(tmpdir(), 'crvs-tessdata-'));
  for (const [language, file] of files) symlinkSync(file, path.join(dir, `${language}.traineddata`));
  return dir;
}
