/**
 * @module
 * A birth is registered once (records/people.ts, birthIdentity: two keys, each under a unique
 * index, migrations 0010 and 0015). What a registration of a birth whose key is held already gets:
 * refused on its own, naming the registration that holds it, while the rest of its batch is issued
 * (registrations.ts, issueEach); or, where the holder is the birth of a namesake mother, issued
 * without the key they share.
 */
import { RegistryError } from '../../errors.ts';
import type { BirthIdentity } from '../records/people.ts';

/** The answer to a birth registered already: 409, naming the registration so the desk can look it up. */
export function birthRegisteredAlready(registrationNumber: string): RegistryError {
  return new RegistryError(
    'conflict',
    `this birth is registered already as ${registrationNumber} (the same child, name and date of birth, of the same mother): look that registration up, and correct it if it is wrong`,
    { field: 'child', details: { registrationNumber } },
  );
}

/** A registration holding a birth's key, with its mother's PINFL (null: not known). */
export interface KeyHolder {
  motherPinfl: string | null;
}

export interface HeldKeys<H extends KeyHolder> {
  byNames: ReadonlyMap<string, H>;
  byPinfl: ReadonlyMap<string, H>;
}

/**
 * A birth against the registrations holding its keys: the one it repeats; or, when the holder of
 * its names key is another mother of the same name and birthday (both PINFLs known, and
 * different), the identity to register it under, without that key; or undefined, neither held.
 * A birth whose mother's PINFL is unknown on either side is the same birth (it cannot be told
 * apart, and a registrar can add the PINFL and send it again).
 */
export function judgeBirth<H extends KeyHolder>(identity: BirthIdentity, held: HeldKeys<H>): { repeats: H } | { identity: BirthIdentity } | undefined {
  const samePinfl = identity.byPinfl === null ? undefined : held.byPinfl.get(identity.byPinfl);
  if (samePinfl) return { repeats: samePinfl };
  const sameNames = identity.byNames === null ? undefined : held.byNames.get(identity.byNames);
  if (!sameNames) return undefined;
  const namesake = identity.motherPinfl !== null && sameNames.motherPinfl !== null && identity.motherPinfl !== sameNames.motherPinfl;
  return namesake ? { identity: { ...identity, byNames: null } } : { repeats: sameNames };
}

/**
 * For a batch, which registrations repeat a birth that an earlier one of the same batch registers
 * (index of the repeat → index of the first: those wait for the first to be issued, and are refused
 * with its number), and the identity each of the others is issued under.
 */
export function repeatsInBatch(identities: readonly (BirthIdentity | null)[]): { repeats: Map<number, number>; identities: (BirthIdentity | null)[] } {
  type Earlier = KeyHolder & { index: number };
  const held = { byNames: new Map<string, Earlier>(), byPinfl: new Map<string, Earlier>() };
  const repeats = new Map<number, number>();
  const issuedAs = identities.map((identity, index) => {
    if (identity === null) return null;
    const judged = judgeBirth(identity, held);
    if (judged && 'repeats' in judged) {
      repeats.set(index, judged.repeats.index);
      return identity;
    }
    const kept = judged?.identity ?? identity;
    const holder = { index, motherPinfl: kept.motherPinfl };
    if (kept.byNames !== null) held.byNames.set(kept.byNames, holder);
    if (kept.byPinfl !== null) held.byPinfl.set(kept.byPinfl, holder);
    return kept;
  });
  return { repeats, identities: issuedAs };
}
