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
 * breaks that, and the office is numbered from its counter until it holds again.
 */

interface OfficeForecast {
  /** The office's next number, as far as this process knows. */
  next: number;
  /** Whether the office's last numbers came where this process expected them. */
  trusted: boolean;
}

export class NumberForecast {
  readonly #offices = new Map<string, OfficeForecast>();

  /**
   * The first number of each office's run for a batch of `counts` registrations, if every office is
   * foreseen; the numbers are then reserved for this batch (the next batch of the office, if it
   * starts before this one ends, is foreseen after them). Undefined: number the batch from the
   * counters.
   */
  foresee(year: number, counts: ReadonlyMap<string, number>): Map<string, number> | undefined {
    const first = new Map<string, number>();
    for (const office of counts.keys()) {
      const known = this.#offices.get(key(office, year));
      if (!known?.trusted) return undefined;
      first.set(office, known.next);
    }
    for (const [office, n] of counts) this.#offices.get(key(office, year))!.next += n;
    return first;
  }

  /** The counters gave a batch these runs (`first` of each office, `counts` long). */
  allocated(year: number, first: ReadonlyMap<string, number>, counts: ReadonlyMap<string, number>): void {
    for (const [office, start] of first) {
      const known = this.#offices.get(key(office, year));
      this.#offices.set(key(office, year), { next: start + counts.get(office)!, trusted: known?.next === start });
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
