import { z } from 'zod';

export const consentImportParamsSchema = z.object({ id: z.uuid() });
