import { z } from 'zod';

/** A teacher records their class's agreement to the policy. */
export const classAgreementForm = z.object({
  className: z.string().trim().min(1, 'Choose the class').max(100),
  confirm: z.literal('yes', {
    error: 'Tick the box to confirm the class has read and agreed to the policy',
  }),
});
