/**
 * The forecast of registration numbers: which offices an API process numbers before their
 * transaction begins, and from where (the database checks it: registrations.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { NumberForecast } from './number-forecast.ts';

const runs = (entries: [string, number][]) => new Map(entries);

describe('the registration number forecast', () => {
  it('foresees nothing for an office whose counter it has not seen', () => {
    expect(new NumberForecast().foresee(2026, runs([['1802', 3]]))).toBeUndefined();
  });

  it('foresees nothing for an office whose numbers it has been given once only', () => {
    const forecast = new NumberForecast();
    forecast.allocated(2026, runs([['1802', 41]]), runs([['1802', 3]]));
    expect(forecast.foresee(2026, runs([['1802', 1]]))).toBeUndefined();
  });

  it("foresees an office's next numbers once its numbers have followed on from each other", () => {
    const forecast = new NumberForecast();
    forecast.allocated(2026, runs([['1802', 41]]), runs([['1802', 3]]));
    forecast.allocated(2026, runs([['1802', 44]]), runs([['1802', 2]]));
    expect(forecast.foresee(2026, runs([['1802', 5]]))).toEqual(runs([['1802', 46]]));
  });

  it('foresees the next batch after the numbers of one still in flight', () => {
    const forecast = new NumberForecast();
    forecast.allocated(2026, runs([['1802', 1]]), runs([['1802', 1]]));
    forecast.allocated(2026, runs([['1802', 2]]), runs([['1802', 1]]));
    expect(forecast.foresee(2026, runs([['1802', 4]]))).toEqual(runs([['1802', 3]]));
    expect(forecast.foresee(2026, runs([['1802', 1]]))).toEqual(runs([['1802', 7]]));
  });

  it('stops foreseeing an office whose numbers another issuer took meanwhile', () => {
    const forecast = new NumberForecast();
    forecast.allocated(2026, runs([['1802', 1]]), runs([['1802', 1]]));
    forecast.allocated(2026, runs([['1802', 2]]), runs([['1802', 1]]));
    forecast.allocated(2026, runs([['1802', 9]]), runs([['1802', 1]]));
    expect(forecast.foresee(2026, runs([['1802', 1]]))).toBeUndefined();
  });

  it('foresees nothing for a batch with one office it does not foresee', () => {
    const forecast = new NumberForecast();
    forecast.allocated(2026, runs([['1802', 1]]), runs([['1802', 1]]));
    forecast.allocated(2026, runs([['1802', 2], ['1803', 5]]), runs([['1802', 1], ['1803', 1]]));
    expect(forecast.foresee(2026, runs([['1802', 1], ['1803', 1]]))).toBeUndefined();
    // and reserves nothing for the office it did foresee
    expect(forecast.foresee(2026, runs([['1802', 1]]))).toEqual(runs([['1802', 3]]));
  });

  it('forgets the offices of a batch that failed, whose numbers were given back', () => {
    const forecast = new NumberForecast();
    forecast.allocated(2026, runs([['1802', 1]]), runs([['1802', 1]]));
    forecast.allocated(2026, runs([['1802', 2]]), runs([['1802', 1]]));
    forecast.forget(2026, ['1802']);
    expect(forecast.foresee(2026, runs([['1802', 1]]))).toBeUndefined();
  });

  it("keeps each year's numbers apart", () => {
    const forecast = new NumberForecast();
    forecast.allocated(2026, runs([['1802', 1]]), runs([['1802', 1]]));
    forecast.allocated(2026, runs([['1802', 2]]), runs([['1802', 1]]));
    expect(forecast.foresee(2027, runs([['1802', 1]]))).toBeUndefined();
  });
});
