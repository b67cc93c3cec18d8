import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { configureNunjucks, templateDirs } from './views.ts';
import {
  formatDateInWords,
  formatDateTimeInWords,
  formatTimeInWords,
  timeInWords,
} from './dates.ts';

describe('dates in words, UK local time', () => {
  it('shows a winter (GMT) moment as the same clock time', () => {
    expect(formatDateTimeInWords(new Date('2026-12-06T18:28:00Z'))).toBe(
      '6 December 2026 at 6:28pm',
    );
    expect(formatDateInWords(new Date('2026-12-06T18:28:00Z'))).toBe('6 December 2026');
  });

  it('shows a summer (BST) moment an hour ahead of UTC', () => {
    expect(formatDateTimeInWords(new Date('2026-07-01T08:05:00Z'))).toBe('1 July 2026 at 9:05am');
    // 23:30 UTC on 30 June is already 1 July in the UK.
    expect(formatDateInWords(new Date('2026-06-30T23:30:00Z'))).toBe('1 July 2026');
    expect(formatDateTimeInWords('2026-06-30T23:30:00Z')).toBe('1 July 2026 at 12:30am');
  });

  it('follows the clocks across both changes', () => {
    // Clocks go forward at 01:00 UTC on 29 March 2026.
    expect(formatDateTimeInWords(new Date('2026-03-29T00:59:00Z'))).toBe(
      '29 March 2026 at 12:59am',
    );
    expect(formatDateTimeInWords(new Date('2026-03-29T01:00:00Z'))).toBe('29 March 2026 at 2am');
    // Clocks go back at 01:00 UTC on 25 October 2026 (01:00 BST happens twice).
    expect(formatDateTimeInWords(new Date('2026-10-25T00:30:00Z'))).toBe(
      '25 October 2026 at 1:30am',
    );
    expect(formatDateTimeInWords(new Date('2026-10-25T01:30:00Z'))).toBe(
      '25 October 2026 at 1:30am',
    );
    expect(formatDateTimeInWords(new Date('2026-10-25T02:00:00Z'))).toBe('25 October 2026 at 2am');
  });

  it('writes times the GOV.UK way', () => {
    expect(timeInWords(0, 0)).toBe('midnight');
    expect(timeInWords(12, 0)).toBe('midday');
    expect(timeInWords(9, 0)).toBe('9am');
    expect(timeInWords(12, 1)).toBe('12:01pm');
    expect(timeInWords(0, 15)).toBe('12:15am');
    expect(timeInWords(23, 59)).toBe('11:59pm');
    expect(formatDateTimeInWords(new Date('2026-12-31T00:00:00Z'))).toBe(
      '31 December 2026 at midnight',
    );
    expect(formatDateTimeInWords(new Date('2026-08-01T11:00:00Z'))).toBe('1 August 2026 at midday');
    expect(formatTimeInWords(new Date('2026-12-06T18:28:00Z'))).toBe('6:28pm');
  });

  it('reads a calendar date as that day, whatever the time zone', () => {
    expect(formatDateInWords('2026-03-29')).toBe('29 March 2026');
    expect(formatDateInWords('2026-10-25')).toBe('25 October 2026');
    expect(formatDateInWords('2024-02-29')).toBe('29 February 2024');
    expect(formatDateInWords('2026-02-30')).toBe('');
  });

  it('shows nothing for nothing', () => {
    expect(formatDateInWords(null)).toBe('');
    expect(formatDateTimeInWords(undefined)).toBe('');
    expect(formatDateTimeInWords('')).toBe('');
    expect(formatDateTimeInWords('not a date')).toBe('');
    expect(formatDateTimeInWords(new Date(Number.NaN))).toBe('');
  });
});

describe('the page filters', () => {
  it('show every page’s dates and times in words, in UK local time', () => {
    const env = nunjucks.configure(templateDirs, { autoescape: true });
    configureNunjucks(env);
    const at = new Date('2026-07-01T17:28:00Z');
    expect(env.renderString('{{ d | ukDateTime }}', { d: at })).toBe('1 July 2026 at 6:28pm');
    expect(env.renderString('{{ d | dateTimeInWords }}', { d: at })).toBe('1 July 2026 at 6:28pm');
    expect(env.renderString('{{ d | dateInWords }}', { d: '2026-12-06' })).toBe('6 December 2026');
    expect(env.renderString('{{ d | ukDateTime }}', { d: null })).toBe('');
  });
});
