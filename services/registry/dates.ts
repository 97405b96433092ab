/**
 * @module
 * Calendar dates as the registry sees them: ISO 8601 `YYYY-MM-DD` strings, "today" and "this year"
 * in Uzbekistan's time zone (Asia/Tashkent, UTC+5 all year), and ages in completed years.
 */

const TASHKENT = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tashkent', year: 'numeric', month: '2-digit', day: '2-digit' });

// Formatting a date with Intl is slow next to everything else a registration does; every date
// field is checked against "today", so the answer is kept for the rest of the minute.
let memo = { minute: -1, date: '' };

/** Today's date in Tashkent, as `YYYY-MM-DD` (en-CA formats dates that way). */
export function todayInTashkent(now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== memo.minute) memo = { minute, date: TASHKENT.format(now) };
  return memo.date;
}

export function yearInTashkent(now: Date = new Date()): number {
  return Number(todayInTashkent(now).slice(0, 4));
}

function parts(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

/**
 * Completed years between `birth` and `on`. Someone born on 29 February completes a year on
 * 1 March in a common year (the date's month and day have not yet been reached on 28 February).
 */
export function ageOn(birth: string, on: string): number {
  const [by, bm, bd] = parts(birth);
  const [y, m, d] = parts(on);
  const beforeBirthday = m < bm || (m === bm && d < bd);
  return y - by - (beforeBirthday ? 1 : 0);
}
