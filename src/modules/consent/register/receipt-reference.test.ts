import { describe, expect, it } from 'vitest';
import {
  RECEIPT_REFERENCE_ALPHABET,
  formatReceiptReference,
  parseReceiptReference,
} from './receipt-reference.ts';

describe('receipt references', () => {
  it('has no characters that look alike when read out or written down', () => {
    for (const c of '01OIL') expect(RECEIPT_REFERENCE_ALPHABET).not.toContain(c);
    expect(new Set(RECEIPT_REFERENCE_ALPHABET).size).toBe(RECEIPT_REFERENCE_ALPHABET.length);
  });

  it('prints in two groups of four', () => {
    expect(formatReceiptReference('K7M4Q2PX')).toBe('K7M4-Q2PX');
    expect(formatReceiptReference(null)).toBe('');
  });

  it('reads what a person types, whatever the case, spaces and hyphens', () => {
    expect(parseReceiptReference('K7M4-Q2PX')).toBe('K7M4Q2PX');
    expect(parseReceiptReference(' k7m4 q2px ')).toBe('K7M4Q2PX');
    expect(parseReceiptReference('k7m4–q2px')).toBe('K7M4Q2PX');
  });

  it('refuses what cannot be a reference', () => {
    expect(parseReceiptReference('')).toBeNull();
    expect(parseReceiptReference('K7M4-Q2P')).toBeNull();
    expect(parseReceiptReference('K7M4-Q2PXX')).toBeNull();
    expect(parseReceiptReference('K0M4-Q2PX')).toBeNull();
    expect(parseReceiptReference('0f0e0d0c-0000-4000-8000-000000000001')).toBeNull();
  });
});
