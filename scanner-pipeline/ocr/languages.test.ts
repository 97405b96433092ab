import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PACKAGES, languageDirectory, MissingLanguageError, modelFile, parseLanguages } from './languages.ts';

const debian = '/usr/share/tesseract-ocr/5/tessdata';
const empty = () => mkdtempSync(path.join(tmpdir(), 'crvs-test-tessdata-'));

describe('language data from local files', () => {
  it('finds the Debian models of the registry languages', () => {
    for (const language of ['rus', 'uzb', 'uzb_cyrl']) expect(modelFile(language, debian)).toBe(path.join(debian, `${language}.traineddata`));
    expect(languageDirectory(['rus', 'uzb', 'uzb_cyrl'], debian)).toBe(debian);
  });

  it('falls back to the English model bundled with tesseract.js', () => {
    expect(modelFile('eng', empty())).toMatch(/@tesseract\.js-data\/eng\/.*eng\.traineddata\.gz$/);
  });

  it('links models from two places into one directory under the temporary directory', () => {
    const dir = languageDirectory(['eng'], empty());
    expect(dir.startsWith(tmpdir())).toBe(true);
  });

  it('names the Debian package to install for a missing language', () => {
    const dir = empty();
    expect(() => modelFile('uzb_cyrl', dir)).toThrow(MissingLanguageError);
    expect(() => modelFile('uzb_cyrl', dir)).toThrow(/apt-get install tesseract-ocr-uzb-cyrl/);
    expect(() => modelFile('rus', dir)).toThrow(DEBIAN_PACKAGES.rus!);
    expect(() => modelFile('../etc', dir)).toThrow(/not a tesseract language code/);
  });

  it('parses language sets', () => {
    expect(parseLanguages('rus+uzb+rus')).toEqual(['rus', 'uzb']);
    expect(parseLanguages(['uzb_cyrl'])).toEqual(['uzb_cyrl']);
  });
});
