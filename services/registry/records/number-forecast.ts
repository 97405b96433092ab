/**
 * @module
 * The registration numbers an API process foresees for its offices. A batch of registrations can
 * then be numbered, canonicalised and hashed before its transaction begins, and the transaction go
 * to PostgreSQL in one round trip (BEGIN, the statement that takes the numbers and writes the batch,
 * COMMIT) instead of two: the office counter rows, locked from the moment they are taken until the
 * COMMIT is flushed, are no longer held across a round trip and the hashing, and the API and the
 * database stop waiting on each other (measured: births/s +15 to +18%, tests/bench/registry.ts).
 *
 * A forecast is only a guess; the database checks it in the same statement (migration 0016,
 * `registration_numbers_as_foreseen`), and a wrong guess fails the whole transaction, so it can
 * cost a round trip, never a number. An office is foreseen only while this process is, as far as it
 * can tell, the office's only issuer: when the numbers the counters last gave it for that office
 * followed straight on from the ones before. Another process or server registering for the office
 * breaks that, and the office is numbered from its counter until it holds again: for one run of
 * numbers, and for twice as many after each forecast of it the database refused, so that an office
 * two processes share stops costing refused batches (2 API processes, 64 connections in
 * tests/bench/registry.ts: 250 refused batches in 20 s, then 12).
 */

interface OfficeForecast {
  /** The office's next number, as far as this process knows. */
  next: number;
  /** How many runs of numbers in a row the counters gave this process where it expected them. */
  followedOn: number;
}

/** Most follow-ons an office can need before it is foreseen again (see {@link NumberForecast.mistook}). */
const MOST_FOLLOW_ONS = 64;

export class NumberForecast {
  readonly #offices = new Map<string, OfficeForecast>();
  /** Follow-ons an office needs before it is foreseen: 1, more after forecasts of it proved wrong. */
  readonly #needs = new Map<string, number>();

  /**
   * The first number of each office's run for a batch of `counts` registrations, if every office is
   * foreseen; the numbers are then reserved for this batch (the next batch of the office, if it
   * starts before this one ends, is foreseen after them). Undefined: number the batch from the
   * counters.
   */
  foresee(year: number, counts: ReadonlyMap<string, number>): Map<string, number> | undefined {
    const known: [string, OfficeForecast][] = [];
    for (const office of counts.keys()) {
      const k = key(office, year);
      const forecast = this.#offices.get(k);
      if (!forecast || forecast.followedOn < (this.#needs.get(k) ?? 1)) return undefined;
      known.push([office, forecast]);
    }
    const first = new Map<string, number>();
    for (const [office, forecast] of known) {
      first.set(office, forecast.next);
      forecast.next += counts.get(office)!;
    }
    return first;
  }

  /** The counters gave a batch these runs (`first` of each office, `counts` long). */
  allocated(year: number, first: ReadonlyMap<string, number>, counts: ReadonlyMap<string, number>): void {
    for (const [office, start] of first) {
      const known = this.#offices.get(key(office, year));
      this.#offices.set(key(office, year), { next: start + counts.get(office)!, followedOn: known?.next === start ? known.followedOn + 1 : 0 });
    }
  }

  /**
   * A batch foreseen at `foreseen` committed: its offices' forecasts held, and an office that
   * needed more follow-ons after a wrong forecast needs one fewer.
   */
  held(year: number, foreseen: ReadonlyMap<string, number>): void {
    for (const office of foreseen.keys()) {
      const k = key(office, year);
      const needs = this.#needs.get(k);
      if (needs !== undefined) {
        if (needs <= 2) this.#needs.delete(k);
        else this.#needs.set(k, needs - 1);
      }
    }
  }

  /**
   * The database refused a batch foreseen at `foreseen`, and the counters then gave it `first`: the
   * offices whose numbers had moved (another process or server issued for them) need twice as
   * many follow-ons as before, up to {@link MOST_FOLLOW_ONS}, before they are foreseen again. An
   * office two processes share would otherwise be foreseen after every second run of numbers and
   * refused soon after, each time costing its whole batch a round trip; one that has moved to this
   * process for good is foreseen again after a few runs, and needs fewer with every batch that holds.
   */
  mistook(year: number, foreseen: ReadonlyMap<string, number>, first: ReadonlyMap<string, number>): void {
    for (const [office, start] of foreseen) {
      if (first.get(office) === start) continue;
      const k = key(office, year);
      this.#needs.set(k, Math.min(MOST_FOLLOW_ONS, 2 * (this.#needs.get(k) ?? 1)));
    }
  }

  /** A batch of these offices failed, its numbers given back (or its outcome unknown): guess no more. */
  forget(year: number, offices: Iterable<string>): void {
    for (const office of offices) this.#offices.delete(key(office, year));
  }
}

const key = (office: string, year: number) => `${office}/${year}`;

/** The error of a statement whose foreseen numbers were not the counters' (migration 0016). */
export const NUMBERS_NOT_AS_FORESEEN = 'CR001';
