import type { FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../../errors.ts';
import type { FormRead } from '../../../web/form-route.ts';
import { claimUploads, UploadedFile } from '../../../web/uploads.ts';

/** The largest logo file accepted (it is re-encoded much smaller). */
export const LOGO_MAX_BYTES = 500 * 1024;
/** The stored logo is scaled to fit inside this box (never enlarged). */
export const LOGO_MAX_HEIGHT = 120;
export const LOGO_MAX_WIDTH = 480;
/** WCAG 2 AA for normal text: the header's white text on the school's colour. */
export const MIN_CONTRAST_WITH_WHITE = 4.5;

/** What the News page appearance form asks for, read and checked. */
export interface NewsAppearanceInput {
  /** `#rrggbb` in lower case, or null for the usual black band. */
  colour: string | null;
  /** A new logo, uploaded (a temporary file the service reads, re-encodes and then discards). */
  logo: { tempName: string } | null;
  /** Take the current logo away (ignored when a new one is uploaded). */
  removeLogo: boolean;
}

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
export function relativeLuminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** The contrast ratio of white text on a `#rrggbb` background (1 to 21). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (relativeLuminance(hex) + 0.05);
}

/** The colour as stored (`#rrggbb`, lower case), or the reason in plain English it is refused. */
export function readColour(
  raw: string,
): { ok: true; value: string | null } | { ok: false; error: string } {
  const v = raw.trim().toLowerCase();
  if (v === '') return { ok: true, value: null };
  const hex = v.startsWith('#') ? v : `#${v}`;
  if (!/^#[0-9a-f]{6}$/.test(hex))
    return {
      ok: false,
      error: 'Enter the colour as a # followed by 6 numbers or letters from a to f, like #1d5c3a',
    };
  const ratio = contrastWithWhite(hex);
  if (ratio < MIN_CONTRAST_WITH_WHITE)
    return {
      ok: false,
      error: `The colour ${hex} is too light for the white writing on it: its contrast is ${(Math.floor(ratio * 10) / 10).toFixed(1)} to 1, and it needs to be at least 4.5 to 1 so everyone can read it. Choose a darker colour`,
    };
  return { ok: true, value: hex };
}

/** The form (multipart: the logo is a file): the colour, a new logo, or taking the logo away. */
export function readNewsAppearanceForm(
  body: unknown,
  request: FastifyRequest,
): FormRead<NewsAppearanceInput> {
  const b = (body ?? {}) as Record<string, unknown>;
  const rawColour = typeof b.colour === 'string' ? b.colour : '';
  const removeLogo = b.removeLogo === 'yes';
  const upload =
    b.logo instanceof UploadedFile && !(b.logo.size === 0 && b.logo.filename === '')
      ? b.logo
      : null;
  const errors: FieldErrors = {};
  const colour = readColour(rawColour);
  if (!colour.ok) errors.colour = colour.error;
  if (upload && (upload.truncated || upload.size > LOGO_MAX_BYTES))
    errors.logo = 'The logo must be smaller than 500 KB';
  else if (upload && upload.size === 0) errors.logo = 'The logo file is empty';
  const values = { colour: rawColour, removeLogo: removeLogo ? 'yes' : '' };
  if (Object.keys(errors).length > 0 || !colour.ok) return { ok: false, errors, values };
  if (upload) claimUploads(request, [upload]);
  return {
    ok: true,
    value: {
      colour: colour.value,
      logo: upload ? { tempName: upload.tempName } : null,
      removeLogo,
    },
  };
}
