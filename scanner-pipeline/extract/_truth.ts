import { readFileSync, readdirSync } from 'node:fs';
import { extractFromText } from './extract.ts';
import { compareFields, flattenValues } from '../quality/score.ts';
const dir = '/work/shared/corpus-dev/truth/';
let ok = 0, all = 0;
const src = process.argv[2];
const texts: Record<string, string> = {};
if (src) for (const l of readFileSync(src, 'utf8').split('\n').filter(Boolean)) { const d = JSON.parse(l); texts[d.sourceFile.replace(/^.*\//, '').replace(/\.[^.]+$/, '')] = d.ocrText; }
for (const f of readdirSync(dir).sort()) {
  const t = JSON.parse(readFileSync(dir + f, 'utf8'));
  const text = src ? texts[t.id] ?? '' : t.text;
  const r = extractFromText(text, { language: t.lang, kind: process.env.KIND ? t.kind : null });
  const c = compareFields(t.fields, r.fields);
  ok += c.exact; all += c.total;
  const got = flattenValues(r.fields); const want = flattenValues(t.fields);
  console.log(t.id, t.kind, '->', r.kind, `${c.exact}/${c.total}`, c.missed.map((k) => `${k}: ${JSON.stringify(got[k])} != ${JSON.stringify(want[k])}`).join(' | '));
}
console.log('TOTAL', ok, all, (ok / all).toFixed(4));
