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

  describe('after the database refused a forecast', () => {
    /** The counters gave `office` a run of one number at `start`. */
    const run = (forecast: NumberForecast, office: string, start: number) => forecast.allocated(2026, runs([[office, start]]), runs([[office, 1]]));
    /** A foreseen batch of one registration the database refused; the counters then gave it `actual`. */
    const refused = (forecast: NumberForecast, office: string, actual: number) => {
      const foreseen = forecast.foresee(2026, runs([[office, 1]]))!;
      forecast.forget(2026, [office]);
      run(forecast, office, actual);
      forecast.mistook(2026, foreseen, runs([[office, actual]]));
    };
    /** How many more runs that follow on until `office` is foreseen again. */
    const runsUntilForeseen = (forecast: NumberForecast, office: string, next: number) => {
      let n = 0;
      while (!forecast.foresee(2026, runs([[office, 1]]))) run(forecast, office, next + n++);
      return n;
    };
    const trusted = (office: string) => {
      const forecast = new NumberForecast();
      run(forecast, office, 1);
      run(forecast, office, 2);
      return forecast;
    };

    it('foresees an office another issuer took numbers of only after two runs that follow on, not one', () => {
      const forecast = trusted('1802');
      refused(forecast, '1802', 6);
      expect(runsUntilForeseen(forecast, '1802', 7)).toBe(2);
    });

    it('foresees an office that keeps being refused ever more rarely, after 64 runs at most', () => {
      const forecast = trusted('1802');
      let next = 10;
      const waits = [];
      for (let i = 0; i < 8; i++) {
        refused(forecast, '1802', next);
        waits.push(runsUntilForeseen(forecast, '1802', next + 1));
        next += 100;
      }
      expect(waits).toEqual([2, 4, 8, 16, 32, 64, 64, 64]);
    });

    it('holds against an office only the numbers that moved, not the other offices of the batch', () => {
      const forecast = new NumberForecast();
      const both = (first1802: number, first1803: number) => forecast.allocated(2026, runs([['1802', first1802], ['1803', first1803]]), runs([['1802', 1], ['1803', 1]]));
      both(1, 1);
      both(2, 2);
      const foreseen = forecast.foresee(2026, runs([['1802', 1], ['1803', 1]]))!;
      expect(foreseen).toEqual(runs([['1802', 3], ['1803', 3]]));
      forecast.forget(2026, ['1802', '1803']);
      both(3, 9); // 1802's counter where foreseen, 1803's moved on
      forecast.mistook(2026, foreseen, runs([['1802', 3], ['1803', 9]]));
      expect(runsUntilForeseen(forecast, '1802', 4)).toBe(1);
      expect(runsUntilForeseen(forecast, '1803', 10)).toBe(2);
    });

    it('needs one run fewer for every batch foreseen for the office that commits', () => {
      const forecast = trusted('1802');
      refused(forecast, '1802', 10);
      runsUntilForeseen(forecast, '1802', 11);
      refused(forecast, '1802', 20);
      expect(runsUntilForeseen(forecast, '1802', 21)).toBe(4);
      for (const first of [25, 26]) forecast.held(2026, runs([['1802', first]]));
      forecast.forget(2026, ['1802']); // a batch failed for another reason: its numbers given back
      run(forecast, '1802', 30);
      expect(runsUntilForeseen(forecast, '1802', 31)).toBe(2);
    });
  });
});
