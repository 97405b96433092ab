/**
 * registry_people.identity_name and identity_name_after, the names the marriage rules compare (the
 * same person, a current marriage), become script-independent: Uzbek Cyrillic is transliterated to
 * the Latin alphabet before they are normalised (services/registry/records/people.ts, personName).
 * A spouse registered in Cyrillic is then the same person when she marries again in Latin, as a
 * PINFL would already show. The stored form is the name normalised (normaliseName), whose
 * transliteration is that of the name as it was registered.
 *
 * Rows are rewritten in batches in the migration's transaction; only those whose form changes.
 */
import type { Sql } from '../client.ts';
import { cyrillicToLatin } from '../../names/search-key.ts';
import { normaliseName } from '../../registry/places/places.ts';

const BATCH = 1000;
const latin = (stored: string | null) => (stored === null ? null : normaliseName(cyrillicToLatin(stored)));

export async function up(db: Sql): Promise<void> {
  let after: { recordId: string; role: string } | null = null;
  for (;;) {
    const rows: { record_id: string; role: string; identity_name: string; identity_name_after: string | null }[] = await db`
      select record_id, role, identity_name, identity_name_after from registry_people
      ${after ? db`where (record_id, role) > (${after.recordId}::uuid, ${after.role})` : db``}
      order by record_id, role limit ${BATCH}`;
    if (rows.length === 0) return;
    const changed = rows
      .map((r) => ({ record_id: r.record_id, role: r.role, identity_name: latin(r.identity_name)!, identity_name_after: latin(r.identity_name_after) }))
      .filter((r, i) => r.identity_name !== rows[i]!.identity_name || r.identity_name_after !== rows[i]!.identity_name_after);
    if (changed.length) {
      await db`
        update registry_people p set identity_name = u.identity_name, identity_name_after = u.identity_name_after
        from jsonb_to_recordset(${JSON.stringify(changed)}::text::jsonb) as u (record_id uuid, role text, identity_name text, identity_name_after text)
        where p.record_id = u.record_id and p.role = u.role`;
    }
    const last = rows[rows.length - 1]!;
    after = { recordId: last.record_id, role: last.role };
  }
}
