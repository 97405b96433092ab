/**
 * registry_people.search_name becomes the cross-script search key of the person's full name
 * (services/names/search-key.ts, the archive's): a name registered in Uzbek Cyrillic ("Жўраев")
 * is then found by its Latin spelling ("Jo'rayev") and the other way round. Until now it was the
 * name normalised only for case, spaces and apostrophes (normaliseName), which the key folds as
 * well, so the key of the stored form is the key of the name as it was registered.
 *
 * Rows are rewritten in batches in the migration's transaction; only those whose form changes.
 */
import type { Sql } from '../client.ts';
import { searchKey } from '../../names/search-key.ts';

const BATCH = 1000;

export async function up(db: Sql): Promise<void> {
  let after: { recordId: string; role: string } | null = null;
  for (;;) {
    const rows: { record_id: string; role: string; search_name: string }[] = await db`
      select record_id, role, search_name from registry_people
      ${after ? db`where (record_id, role) > (${after.recordId}::uuid, ${after.role})` : db``}
      order by record_id, role limit ${BATCH}`;
    if (rows.length === 0) return;
    const changed = rows.map((r) => ({ record_id: r.record_id, role: r.role, search_name: searchKey(r.search_name) })).filter((r, i) => r.search_name !== rows[i]!.search_name);
    if (changed.length) {
      await db`
        update registry_people p set search_name = u.search_name
        from jsonb_to_recordset(${JSON.stringify(changed)}::text::jsonb) as u (record_id uuid, role text, search_name text)
        where p.record_id = u.record_id and p.role = u.role`;
    }
    const last = rows[rows.length - 1]!;
    after = { recordId: last.record_id, role: last.role };
  }
}
