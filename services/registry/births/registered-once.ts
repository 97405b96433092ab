/**
 * @module
 * A birth is registered once (records/people.ts, birthIdentity; migration 0010's unique index).
 * What a batch of registrations does about a birth that is registered already: that registration is
 * refused on its own, naming the registration that exists, and the rest of the batch is issued
 * (registrations.ts, issueEach).
 */
import { RegistryError } from '../../errors.ts';

/** The answer to a birth registered already: 409, naming the registration so the desk can look it up. */
export function birthRegisteredAlready(registrationNumber: string): RegistryError {
  return new RegistryError(
    'conflict',
    `this birth is registered already as ${registrationNumber} (the same child, name and date of birth, of the same mother): look that registration up, and correct it if it is wrong`,
    { field: 'child', details: { registrationNumber } },
  );
}

/**
 * For a batch, which registrations repeat a birth that an earlier one of the same batch registers:
 * index of the repeat → index of the first. Those wait for the first to be issued, and are refused
 * with its number.
 */
export function repeatsInBatch(identities: readonly (string | null)[]): Map<number, number> {
  const first = new Map<string, number>();
  const repeats = new Map<number, number>();
  identities.forEach((identity, i) => {
    if (identity === null) return;
    const earlier = first.get(identity);
    if (earlier === undefined) first.set(identity, i);
    else repeats.set(i, earlier);
  });
  return repeats;
}
