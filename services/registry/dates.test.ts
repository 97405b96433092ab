import { describe, expect, it } from 'vitest';
import { ageOn, todayInTashkent, yearInTashkent } from './dates.ts';

describe('registry dates', () => {
  it("takes today in Tashkent's time zone (UTC+5)", () => {
    expect(todayInTashkent(new Date('2026-12-31T18:59:00Z'))).toBe('2026-12-31');
    expect(todayInTashkent(new Date('2026-12-31T19:00:00Z'))).toBe('2027-01-01');
    expect(yearInTashkent(new Date('2026-12-31T19:00:00Z'))).toBe(2027);
  });

  it('counts completed years, the birthday included', () => {
    expect(ageOn('2008-05-20', '2026-05-19')).toBe(17);
    expect(ageOn('2008-05-20', '2026-05-20')).toBe(18);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });
});
