/**
 * @module
 * Issuing registrations (correcting them is corrections.ts): one transaction takes the next
 * registration numbers, appends the record versions to the ledger as pending, indexes the records
 * and their people, and writes the audit entries. All of it commits, or none of it does (and the
 * numbers are given back).
 *
 * Births are issued through registration-queue.ts: registrations that arrive while earlier ones are
 * being written are issued together in one transaction (group commit), through {@link issueEach}.
 */
import type { Sql } from '../database/client.ts';
import { prepareRecordVersion, type Db } from '../ledger/record-versions.ts';
import type { Hex } from '../ledger/core.ts';
import { RegistryError } from '../errors.ts';
import type { AuditEntry } from '../audit-trail/trail.ts';
import { todayInTashkent } from './dates.ts';
import type { Office } from './offices.ts';
import type { BirthIdentity, IndexedPerson } from './records/people.ts';
import {
  allocateRegistrationNumbers,
  BIRTH_IDENTITY_INDEXES,
  findBirthHolders,
  formatRegistrationNumber,
  insertRegistrations,
  type RegistrationKind,
  type RegistrationRows,
} from './records/store.ts';
import { pipelinedTransaction } from './records/transaction.ts';
import { NumberForecast, NUMBERS_NOT_AS_FORESEEN } from './records/number-forecast.ts';
import { birthRegisteredAlready, judgeBirth, repeatsInBatch } from './births/registered-once.ts';

/** What the ledger commits to for a registration (DESIGN.md: RFC 8785 of this, salted). */
export interface RegistrationContent {
  registration: { number: string; office: string; registeredOn: string };
  /** The registration's details, in the shape a correction takes. */
  details: Record<string, unknown>;
  /** Implausible facts the registrar confirmed (births: a parent younger than 14). */
  confirmed?: unknown[];
  correction?: { reason: string; correctsVersion: number };
}

export interface Issued {
  recordId: string;
  registrationNumber: string;
  version: number;
  commitment: Hex;
}

export interface NewRegistration {
  /** Chosen by the caller, so that its audit entry can name it. */
  recordId: string;
  kind: RegistrationKind;
  office: Office;
  details: Record<string, unknown>;
  confirmed?: unknown[];
  people: readonly IndexedPerson[];
  /** Births: what makes two registrations one birth (records/people.ts); null for marriages. */
  birthIdentity: BirthIdentity | null;
  /** Written in the same transaction, so a registration and its audit entry commit together. */
  audit: AuditEntry;
}

/**
 * Issues registrations in one transaction, numbered in the given order within each office, or
 * none of them: the first refusal is thrown. `before` runs first in the transaction (marriages:
 * lock the persons, check current marriages).
 */
export async function issueRegistrations(sql: Sql, regs: readonly NewRegistration[], before?: (tx: Db) => Promise<void>): Promise<Issued[]> {
  const outcomes = await issueEach(sql, regs, before);
  const refused = outcomes.find((o) => o instanceof RegistryError);
  if (refused) throw refused;
  return outcomes as Issued[];
}

/** Attempts at a batch that fails on a birth no one has registered yet (another is registering it). */
const RACES = 3;

/**
 * Issues a batch in one transaction, except the births registered already (before, or by an
 * earlier registration of the same batch): each of those is answered with its own refusal, the
 * others are issued all the same.
 */
export async function issueEach(sql: Sql, regs: readonly NewRegistration[], before?: (tx: Db) => Promise<void>): Promise<(Issued | RegistryError)[]> {
  const outcomes: (Issued | RegistryError)[] = new Array(regs.length);
  const { repeats, identities } = repeatsInBatch(regs.map((r) => r.birthIdentity));
  let pending = regs.map((_, i) => i).filter((i) => !repeats.has(i));
  for (let attempt = 1; pending.length; attempt++) {
    try {
      const issuedAs = (i: number) => (identities[i] === regs[i]!.birthIdentity ? regs[i]! : { ...regs[i]!, birthIdentity: identities[i] ?? null });
      const issued = await issueTogether(sql, pending.map(issuedAs), before);
      pending.forEach((i, k) => (outcomes[i] = issued[k]!));
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      if (!BIRTH_IDENTITY_INDEXES.has((error as { constraint_name?: string }).constraint_name ?? '')) {
        // A record id that exists already: a repeated Idempotency-Key, which the caller answers.
        throw new RegistryError('conflict', 'the registration collided with an existing record; send it again', { cause: error });
      }
      // Some of the batch are births registered already (rolled back, numbers given back): those
      // are refused, births of namesake mothers go without the key they share, the rest goes
      // again. Looked up only now, so that the common case, a batch of new births, pays nothing
      // for it. None found: one was being registered by another transaction, which has committed
      // since; look again.
      const held = await findBirthHolders(sql, pending.flatMap((i) => identities[i] ?? []));
      let judged = 0;
      pending = pending.filter((i) => {
        const judgement = identities[i] && judgeBirth(identities[i], held);
        if (!judgement) return true;
        judged += 1;
        if ('identity' in judgement) identities[i] = judgement.identity;
        else outcomes[i] = birthRegisteredAlready(judgement.repeats.registrationNumber);
        return 'identity' in judgement;
      });
      if (judged === 0 && attempt >= RACES) throw new RegistryError('conflict', 'the registration collided with one made at the same moment; send it again', { cause: error });
    }
  }
  for (const [i, first] of repeats) {
    const o = outcomes[first]!;
    outcomes[i] = birthRegisteredAlready(o instanceof RegistryError ? String(o.details?.registrationNumber) : o.registrationNumber);
  }
  return outcomes;
}

/** The number forecast of each database's pool: one per API process and database. */
const forecasts = new WeakMap<Sql, NumberForecast>();
const forecastOf = (sql: Sql): NumberForecast => {
  let forecast = forecasts.get(sql);
  if (!forecast) forecasts.set(sql, (forecast = new NumberForecast()));
  return forecast;
};

/** The database found the batch's foreseen numbers taken (its inserts wait for that check, store.ts). */
const missedForecast = (error: unknown): boolean => (error as { code?: string }).code === NUMBERS_NOT_AS_FORESEEN;

/**
 * One transaction for all of `regs`, or none (a birth registered already fails it on the unique
 * index). Numbered from the forecast where this process foresees every office of the batch (then
 * the transaction is one round trip, number-forecast.ts), from the counters otherwise; a forecast
 * the database finds wrong costs the batch one more try, numbered from the counters.
 */
async function issueTogether(sql: Sql, regs: readonly NewRegistration[], before?: (tx: Db) => Promise<void>, refused?: ReadonlyMap<string, number>): Promise<Issued[]> {
  const registeredOn = todayInTashkent();
  const year = Number(registeredOn.slice(0, 4));
  const counts = new Map<string, number>();
  for (const r of regs) counts.set(r.office.code, (counts.get(r.office.code) ?? 0) + 1);
  const forecast = forecastOf(sql);
  // A `before` step has the transaction wait for it anyway: its numbers come from the counters.
  const foreseen = before ? undefined : forecast.foresee(year, counts);
  try {
    const issued = await pipelinedTransaction(sql, async (tx) => {
      await before?.(tx);
      let first = foreseen;
      if (!first) {
        // Taken as late as possible: the counter rows stay locked until commit.
        first = await allocateRegistrationNumbers(tx, year, counts);
        forecast.allocated(year, first, counts);
        if (refused) forecast.mistook(year, refused, first);
      }
      const rows = numbered(regs, first, year, registeredOn);
      // One statement for the whole batch, sent with the COMMIT.
      return {
        last: insertRegistrations(tx, rows, foreseen && { year, counts, first: foreseen }),
        result: rows.map(({ record, version }) => ({ recordId: record.recordId, registrationNumber: record.registrationNumber, version: version.version, commitment: version.commitment })),
      };
    });
    if (foreseen) forecast.held(year, foreseen);
    return issued;
  } catch (error) {
    // Rolled back (or its outcome unknown): the numbers are given back, the forecast is off.
    forecast.forget(year, counts.keys());
    // Numbered again from the counters, which also tell which offices' forecasts were wrong.
    if (foreseen && missedForecast(error)) return issueTogether(sql, regs, before, foreseen);
    throw error;
  }
}

/** Each registration's rows, numbered in order within its office from `first`. */
function numbered(regs: readonly NewRegistration[], first: ReadonlyMap<string, number>, year: number, registeredOn: string): RegistrationRows[] {
  const next = new Map(first);
  return regs.map((r): RegistrationRows => {
    const sequence = next.get(r.office.code)!;
    next.set(r.office.code, sequence + 1);
    const number = formatRegistrationNumber(r.office.code, year, sequence);
    const content: RegistrationContent = {
      registration: { number, office: r.office.code, registeredOn },
      details: r.details,
      ...(r.confirmed ? { confirmed: r.confirmed } : {}),
    };
    return {
      version: prepareRecordVersion({ recordId: r.recordId, kind: r.kind, data: content as unknown as Record<string, unknown> }),
      record: { recordId: r.recordId, kind: r.kind, office: r.office.code, year, sequence, registrationNumber: number, birthIdentity: r.birthIdentity },
      people: r.people,
      audit: { ...r.audit, recordId: r.recordId, status: 201 },
    };
  });
}
