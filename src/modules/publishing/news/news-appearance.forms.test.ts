import { describe, expect, it } from 'vitest';
import { contrastWithWhite, readColour } from './news-appearance.forms.ts';

describe('the news page colour', () => {
  it('measures the contrast of white writing as WCAG 2 does', () => {
    expect(contrastWithWhite('#000000')).toBeCloseTo(21, 5);
    expect(contrastWithWhite('#ffffff')).toBeCloseTo(1, 5);
    // The usual thresholds: #767676 is the lightest grey that passes AA on white.
    expect(contrastWithWhite('#767676')).toBeGreaterThanOrEqual(4.5);
    expect(contrastWithWhite('#777777')).toBeLessThan(4.5);
    expect(contrastWithWhite('#1d70b8')).toBeCloseTo(5.17, 1);
  });

  it('keeps a dark colour in lower case, with or without its #, and empty as none', () => {
    expect(readColour('#1D5C3A')).toEqual({ ok: true, value: '#1d5c3a' });
    expect(readColour(' 0b0c0c ')).toEqual({ ok: true, value: '#0b0c0c' });
    expect(readColour('')).toEqual({ ok: true, value: null });
  });

  it('refuses what is not 6 hex digits, and a colour too light for white writing, in words', () => {
    for (const bad of ['green', '#fff', '#12345g', '#1234567', 'rgb(0,0,0)'])
      expect(readColour(bad), bad).toMatchObject({
        ok: false,
        error: expect.stringContaining('6 numbers or letters') as unknown,
      });
    const light = readColour('#ffdd00');
    expect(light.ok).toBe(false);
    if (!light.ok) {
      expect(light.error).toContain('too light');
      expect(light.error).toMatch(/its contrast is 1\.\d to 1/);
      expect(light.error).toContain('at least 4.5 to 1');
    }
    // Just under the line is refused, and never shown rounded up to 4.5.
    const near = readColour('#777777');
    expect(near.ok).toBe(false);
    if (!near.ok) expect(near.error).toContain('4.4 to 1');
  });
});
