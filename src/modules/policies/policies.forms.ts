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
  })
  .loose();

export const reviewedForm = z.object({
  reviewNote: z.string().max(2000, 'Use 2,000 characters or fewer').default(''),
});
