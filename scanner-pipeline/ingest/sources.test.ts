import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS } from './cli-test-support.ts';
import { directorySource, manifestSource } from './sources.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'crvs-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(file: string, content = 'x') {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
}

describe('a directory of scans', () => {
  it('lists every file below it, named relative to it, leaving out hidden files', async () => {
    write('box1/a.jpg');
    write('box1/notes.txt');
    write('box2/deep/b.tiff');
    write('.DS_Store');
    write('.cache/c.jpg');
    const source = await directorySource(dir);
    expect(source.files.map((f) => f.sourceFile)).toEqual(['box1/a.jpg', 'box1/notes.txt', 'box2/deep/b.tiff']);
    expect(source.sourceKey).toBe(dir);
  });

  it('refuses a path that is not a directory', async () => {
    await expect(directorySource(path.join(dir, 'box1/a.jpg'))).rejects.toMatchObject({ code: 'malformed-request' });
    await expect(directorySource(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'malformed-request' });
  });
});

describe('a manifest', () => {
  it("reads corpus-dev's manifest.json with each file's kind and language", async () => {
    const source = await manifestSource(path.join(CORPUS, 'manifest.json'));
    expect(source.files).toHaveLength(12);
    expect(source.files[1]).toEqual({
      absolutePath: path.join(CORPUS, 'images/scan-db31-0002.jpg'),
      sourceFile: 'images/scan-db31-0002.jpg',
      kind: 'birth',
      languages: 'uzb_cyrl',
    });
  });

  it('reads a JSON list of paths', async () => {
    write('list.json', JSON.stringify(['box1/a.jpg', 'box2/deep/b.tiff']));
    expect((await manifestSource(path.join(dir, 'list.json'))).files.map((f) => f.sourceFile)).toEqual(['box1/a.jpg', 'box2/deep/b.tiff']);
  });

  it('reads CSV with a header, quoted names included', async () => {
    write('list.csv', 'file,kind,lang\r\nbox1/a.jpg,birth,rus\r\n"box2/deep/b, copy.tiff",,\r\n');
    expect((await manifestSource(path.join(dir, 'list.csv'))).files).toMatchObject([
      { sourceFile: 'box1/a.jpg', kind: 'birth', languages: 'rus' },
      { sourceFile: 'box2/deep/b, copy.tiff', kind: undefined, languages: undefined },
    ]);
  });

  it('names the entry of a manifest that is wrong', async () => {
    write('bad.json', JSON.stringify([{ file: 'a.jpg', kind: 'death' }]));
    await expect(manifestSource(path.join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'malformed-request', message: expect.stringContaining('0.kind') });
  });
});
