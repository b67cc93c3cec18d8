import { z } from 'zod';

export const adoptForm = z.object({
  templateKey: z
    .string({ error: 'Choose the policy your school’s is closest to' })
    .min(1, 'Choose the policy your school’s is closest to'),
});

export const editForm = z
  .object({
    note: z.string().max(2000, 'Use 2,000 characters or fewer').default(''),
    expectedVersion: z.coerce.number().int().positive(),
    /**
     * Does the change alter what staff, governors or parents must do? The page offers
     * "substantive" (chosen at first: everyone is asked again) or "minor"; left out, substantive.
     */
    kind: z
      .enum(['substantive', 'minor'], {
        error: 'Say whether this is a substantive change (everyone reads it again) or a minor one',
      })
      .default('substantive'),
  })
  .loose();

export const reviewedForm = z.object({
  reviewNote: z.string().max(2000, 'Use 2,000 characters or fewer').default(''),
});
