import { z } from 'zod';

/** "Start renewal campaign now": which period (this school year or the next). */
export const startCampaignSchema = z.object({
  periodKey: z
    .string({ error: 'Choose the school year the forms are for' })
    .trim()
    .min(1, 'Choose the school year the forms are for')
    .max(20, 'Choose the school year the forms are for'),
});

export const campaignParamsSchema = z.object({ id: z.uuid() });
