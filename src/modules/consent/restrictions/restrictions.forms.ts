import { z } from 'zod';

/** Set or lift a pupil's "never publish" restriction. */
export const restrictionForm = z.object({
  restricted: z.enum(['yes', 'no'], { error: 'Say whether this pupil may be published' }),
  reason: z.string().max(1000, 'Use 1,000 characters or fewer').default(''),
});

/** The pupil chosen on the list page. */
export const choosePupilQuery = z.object({ pupilId: z.uuid() });
