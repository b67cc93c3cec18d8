/**
 * A consent receipt's reference: 8 characters a person can read out over the phone, from an
 * alphabet without look-alikes (no 0, O, 1, I or L). The database makes them (a trigger on
 * consent_records, migration 0013) and keeps them unique in the school; stored as "K7M4Q2PX",
 * shown as "K7M4-Q2PX".
 */
export const RECEIPT_REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

const stored = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/;

/** "K7M4Q2PX" → "K7M4-Q2PX" (as printed on the receipt). */
export function formatReceiptReference(reference: string | null | undefined): string {
  if (!reference) return '';
  return reference.length === 8 ? `${reference.slice(0, 4)}-${reference.slice(4)}` : reference;
}

/**
 * What someone typed or read out ("k7m4 q2px", "K7M4-Q2PX") as the stored reference, or null when
 * it cannot be one. Spaces, hyphens and case do not matter.
 */
export function parseReceiptReference(input: string): string | null {
  const compact = input.replace(/[\s\-–—.]/g, '').toUpperCase();
  return stored.test(compact) ? compact : null;
}
