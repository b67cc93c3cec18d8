import { z } from 'zod';

/** "I have read the policy": the box must be ticked. */
export const acknowledgeForm = z.object({
  confirm: z.literal('yes', {
    error: 'Tick the box to confirm that you have read and understood the policy',
  }),
});
