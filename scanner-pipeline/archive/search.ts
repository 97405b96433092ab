/**
 * @module
 * Finding archived documents by any name, date or number in their fields or OCR text, typed in
 * Latin or Cyrillic. Documents and queries meet in one folded Latin form ({@link searchKey}); the
 * database then matches it three ways, each served by a GIN index of migration 0004:
 *  - full text (`to_tsvector('simple', ...)`): every word of the query is in the document;
 *  - trigram word similarity (pg_trgm `<%`): a name spelled a little differently ("Yusupov" for
 *    "Юсуфов"), or misread by OCR;
 *  - substring (`LIKE`, trigram-indexed): numbers and series such as `121798` or `I-QD`.
 */
import type { Sql } from '../../services/database/client.ts';
import { RegistryError } from '../../services/errors.ts';
import type { FieldTree } from './fields.ts';
import { toDocument, withLedgerAgreement, type LedgerAgreement } from './catalogue.ts';
import { searchTextOf, type ReviewStatus } from './entry.ts';
import { cyrillicToLatin, searchKey } from '../../services/names/search-key.ts';
import { parseDate } from '../extract/dates.ts';

export interface SearchHit extends LedgerAgreement {
  id: string;
  sourceFile: string;
  kind: string | null;
  language: string | null;
  reviewStatus: ReviewStatus;
  /** Withheld (null) when the row no longer matches its ledger entry. */
  fields: FieldTree | null;
  /** 0..1: 0.5 when every word is in the document, up to 0.3 for the closest spelling, 0.2 for a literal match. */
  score: number;
  createdAt: Date;
}

export interface SearchOptions {
  limit?: number;
}

const WORD_SIMILARITY = 0.5;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A query's dates as `DD.MM.YYYY`, the form the search text holds them in (searchTextOf): an ISO
 * date, or a date as certificates print it in words (`13 ноября 1983`, `1984 йил 9 ноябрь`,
 * `17-iyun 2020`), read as the extraction reads the page ({@link parseDate}).
 */
function datesAsPrinted(query: string): string {
  let out = query.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, '$3.$2.$1');
  for (let from = 0; ; ) {
    const found = parseDate(out.slice(from));
    if (!found) return out;
    const [year, month, day] = found.iso.split('-');
    const printed = `${day}.${month}.${year}`;
    out = out.slice(0, from + found.start) + printed + out.slice(from + found.end);
    from += found.start + printed.length;
  }
}

function queryKey(query: string): string {
  return searchKey(datesAsPrinted(query));
}

/** oʻ in any of its spellings (ў once transliterated), as the 1995 alphabet writes it. */
const O_APOSTROPHE = /o[\u02BB\u02BC\u2018\u2019\u0060\u00B4']/g;

/**
 * The search forms of `query`: its own and, when it has an oʻ (ў), the Russian spelling of it as
 * у, which is how Soviet-era records write Uzbek names (Жўраев and Joʻrayev are Джураев there,
 * Ўктам is Уктам). An archivist types today's spelling; the record holds the one of its time.
 */
export function queryKeys(query: string): string[] {
  const own = queryKey(query);
  const russian = queryKey(cyrillicToLatin(query).replace(O_APOSTROPHE, 'u'));
  return russian === own ? [own] : [own, russian];
}

export async function searchArchive(sql: Sql, query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
  const keys = queryKeys(query);
  if (keys[0]!.replace(/[^\p{L}\p{N}]/gu, '').length < 2) {
    throw new RegistryError('validation-failed', 'search for at least two letters or digits', { field: 'q' });
  }
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
  const likes = keys.map((k) => `%${escapeLike(k)}%`);
  const rows = await sql.begin(async (tx) => {
    // 0.5 rather than pg_trgm's 0.6: "Yusupov" and "Yusufov", one consonant apart, score 0.5.
    await tx`select set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY)}, true)`;
    return tx`
    with q as (select k, l, plainto_tsquery('simple', k) as tsq from unnest(${keys}::text[], ${likes}::text[]) as q(k, l))
    select d.*,
           -- Whole words first ("Yusufov" the surname before "Yusufovich" the patronymic), then
           -- the closest spelling, then a literal piece of text; the best of the query's forms.
           max(0.5 * (d.search_vector @@ q.tsq)::int + 0.3 * strict_word_similarity(q.k, d.search_text)
             + 0.2 * (d.search_text like q.l)::int) as score
    from archive_documents d join q on d.search_vector @@ q.tsq or q.k <% d.search_text or d.search_text like q.l
    group by d.id
    order by score desc, d.created_at desc, d.id
    limit ${limit}`;
  });
  // Checked against the ledger as a document shown on its own is (catalogue.ts).
  const documents = await withLedgerAgreement(sql, rows.map(toDocument));
  return documents.map((d, i) => ({
    id: d.id,
    sourceFile: d.sourceFile,
    kind: d.kind,
    language: d.language,
    reviewStatus: d.reviewStatus,
    fields: d.ledger === 'matches' ? d.fields : null,
    ledger: d.ledger,
    ...(d.faults ? { faults: d.faults } : {}),
    score: Math.round(Number(rows[i]!.score) * 1000) / 1000,
    createdAt: d.createdAt,
  }));
}

/**
 * Recomputes every document's search form: needed after {@link searchKey} learns a new spelling
 * rule, since stored forms were folded by the old one. Returns the number of documents.
 */
export async function reindexArchive(sql: Sql, batch = 500): Promise<number> {
  let count = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await sql<{ id: string; fields: FieldTree; ocr_text: string }[]>`
      select id, fields, ocr_text from archive_documents where id > ${after} order by id limit ${batch}`;
    if (!rows.length) return count;
    for (const r of rows) await sql`update archive_documents set search_text = ${searchTextOf(r.fields, r.ocr_text)} where id = ${r.id}`;
    count += rows.length;
    after = rows[rows.length - 1]!.id;
  }
}
