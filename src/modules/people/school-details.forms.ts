import { z } from 'zod';
import { isValid as isPostcode, toNormalised } from 'postcode';

/**
 * The school's own contact details, as published on its website and letters: the office phone
 * number, the office email address, the street address and the postcode. Every field may be left
 * empty (a school that has not filled them in yet).
 */
export interface SchoolContactsInput {
  phone: string | null;
  email: string | null;
  address: string | null;
  postcode: string | null;
}

const blankToNull = (v: string) => (v.trim() === '' ? null : v.trim());

export const schoolContactsForm = z.object({
  phone: z
    .string()
    .max(40, 'Enter a phone number of 40 characters or fewer')
    .optional()
    .default('')
    .transform(blankToNull)
    .refine(
      (v) => v === null || (/^[+\d\s()-]+$/.test(v) && v.replace(/\D/g, '').length >= 10),
      'Enter a phone number, like 01632 960 961',
    ),
  email: z
    .string()
    .max(254, 'Enter an email address of 254 characters or fewer')
    .optional()
    .default('')
    .transform(blankToNull)
    .refine(
      (v) => v === null || z.email().safeParse(v).success,
      'Enter an email address in the correct format, like office@school.sch.uk',
    ),
  address: z
    .string()
    .max(300, 'Enter an address of 300 characters or fewer')
    .optional()
    .default('')
    .transform((v) => {
      const lines = v
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      return lines.length === 0 ? null : lines.join('\n');
    }),
  postcode: z
    .string()
    .max(10, 'Enter a real postcode, like SW1A 1AA')
    .optional()
    .default('')
    .transform(blankToNull)
    .refine((v) => v === null || isPostcode(v), 'Enter a real postcode, like SW1A 1AA')
    .transform((v) => (v === null ? null : (toNormalised(v) ?? v))),
});
