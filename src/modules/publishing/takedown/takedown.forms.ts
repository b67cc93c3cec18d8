import { z } from 'zod';

/** Marking a takedown done: where and how it was taken down, in the person's words. */
export const markDoneForm = z.object({
  note: z
    .string()
    .trim()
    .min(1, 'Say where and how the post was taken down')
    .max(500, 'Keep the note to 500 characters or fewer'),
});

export const taskParams = z.object({ id: z.uuid() });
