/**
 * @module
 * The files of an ingest: every regular file under a directory (hidden files such as `.DS_Store`
 * left out, nothing else filtered: a file that is not a scan must reach the quarantine with its
 * reason, not vanish), or the list in a manifest, JSON or CSV, whose paths are relative to the
 * manifest's own folder (as in `corpus-dev/manifest.json`).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RegistryError } from '../../services/errors.ts';
import type { DocumentKind } from './read-document.ts';

export interface SourceFile {
  /** Where to read it on this machine. */
  absolutePath: string;
  /** How the archive names it: relative to the directory or manifest, with `/` separators. */
  sourceFile: string;
  kind?: DocumentKind;
  /** Tesseract languages for this file, e.g. `uzb` or `rus+uzb`. */
  languages?: string;
}

export interface Source {
  /** As the operator gave it. */
  source: string;
  /** The resolved path: re-running the same ingest means the same key. */
  sourceKey: string;
  files: SourceFile[];
}

const relative = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

export async function directorySource(dir: string): Promise<Source> {
  const root = await realpath(dir).catch((error) => {
    throw new RegistryError('malformed-request', `cannot read directory ${dir}: ${(error as Error).message}`, { field: 'DIR', cause: error });
  });
  if (!(await stat(root)).isDirectory()) throw new RegistryError('malformed-request', `${dir} is not a directory`, { field: 'DIR' });
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !relative(root, file).split('/').some((part) => part.startsWith('.')))
    .sort()
    .map((absolutePath) => ({ absolutePath, sourceFile: relative(root, absolutePath) }));
  return { source: dir, sourceKey: root, files };
}

const kind = z.enum(['birth', 'marriage']);
const languages = z.string().regex(/^[a-z_]+(\+[a-z_]+)*$/, 'must be tesseract languages such as rus+uzb');
// corpus-dev's manifest also carries id, layout, pages and truth: allowed, not used.
const ManifestEntry = z
  .object({
    file: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    kind: kind.optional(),
    lang: languages.optional(),
    languages: languages.optional(),
  })
  .refine((e) => e.file ?? e.path, 'needs "file" or "path"');

/** A manifest: a JSON list (of paths, or of `{file, kind?, lang?}` objects) or CSV with a `file` column. */
export async function manifestSource(manifest: string): Promise<Source> {
  const resolved = await realpath(manifest).catch((error) => {
    throw new RegistryError('malformed-request', `cannot read manifest ${manifest}: ${(error as Error).message}`, { field: 'manifest', cause: error });
  });
  const text = await readFile(resolved, 'utf8');
  const root = path.dirname(resolved);
  const entries = /\.csv$/i.test(resolved) ? csvEntries(text) : jsonEntries(text);
  const files = entries.map((e) => {
    const absolutePath = path.resolve(root, e.file);
    return { absolutePath, sourceFile: relative(root, absolutePath), kind: e.kind, languages: e.languages };
  });
  return { source: manifest, sourceKey: resolved, files };
}

interface Entry {
  file: string;
  kind?: DocumentKind;
  languages?: string;
}

function jsonEntries(text: string): Entry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RegistryError('malformed-request', `manifest is not JSON: ${(error as Error).message}`, { field: 'manifest', cause: error });
  }
  const list = Array.isArray(raw) ? raw : (raw as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) throw new RegistryError('malformed-request', 'manifest: must be a JSON list, or an object with a "files" list', { field: 'manifest' });
  return list.map((entry, i) => {
    if (typeof entry === 'string' && entry !== '') return { file: entry };
    const parsed = ManifestEntry.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RegistryError('malformed-request', `manifest entry ${[i, ...(issue?.path ?? [])].join('.')}: ${issue?.message}`, { field: 'manifest' });
    }
    const e = parsed.data;
    return { file: (e.file ?? e.path)!, kind: e.kind, languages: e.languages ?? e.lang };
  });
}

/** CSV (RFC 4180 quoting): a header naming `file` (or `path`), optionally `kind` and `lang`; else one path a line. */
function csvEntries(text: string): Entry[] {
  const rows = parseCsv(text).filter((r) => r.some((cell) => cell.trim() !== ''));
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const fileColumn = header.findIndex((h) => h === 'file' || h === 'path');
  if (fileColumn < 0) return rows.map((r) => ({ file: r[0]!.trim() }));
  const column = (name: string) => header.indexOf(name);
  return rows.slice(1).map((r, i) => {
    const k = r[column('kind')]?.trim() || undefined;
    const l = (r[column('lang')] ?? r[column('languages')])?.trim() || undefined;
    const where = `manifest line ${i + 2}`;
    if (k !== undefined && !kind.safeParse(k).success) throw new RegistryError('malformed-request', `${where}: kind must be birth or marriage`, { field: 'manifest' });
    if (l !== undefined && !languages.safeParse(l).success) throw new RegistryError('malformed-request', `${where}: bad languages ${l}`, { field: 'manifest' });
    return { file: r[fileColumn]!.trim(), kind: k as DocumentKind | undefined, languages: l };
  });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += ch;
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  return rows;
}
