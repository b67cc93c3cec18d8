import { z } from 'zod';

const checkbox = z
  .union([z.literal('yes'), z.array(z.string())])
  .optional()
  .transform((v) => v === 'yes' || (Array.isArray(v) && v.includes('yes')));

export const eventLabelSchema = z
  .string({ error: 'Enter an event label, for example “sports day”' })
  .trim()
  .min(1, 'Enter an event label, for example “sports day”')
  .max(80, 'The event label must be 80 characters or fewer');

/** The fields of the upload form (the files come separately). */
export const uploadFields = z
  .object({
    deviceId: z
      .string({ error: 'Select the device the photos were taken on' })
      .min(1, 'Select the device the photos were taken on'),
    deviceDescription: z
      .string()
      .trim()
      .max(120, 'Describe the device in 120 characters or fewer')
      .optional(),
    eventLabel: eventLabelSchema,
    swimwear: checkbox,
  })
  .superRefine((v, ctx) => {
    if (v.deviceId === 'other' && !v.deviceDescription) {
      ctx.addIssue({
        code: 'custom',
        path: ['deviceDescription'],
        message: 'Describe the device the photos were taken on',
      });
    }
    if (v.deviceId !== 'other' && !z.uuid().safeParse(v.deviceId).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['deviceId'],
        message: 'Select the device the photos were taken on',
      });
    }
  })
  .transform((v) => ({
    deviceId: v.deviceId === 'other' ? null : v.deviceId,
    deviceDescription: v.deviceId === 'other' ? (v.deviceDescription ?? null) : null,
    eventLabel: v.eventLabel,
    swimwear: v.swimwear,
  }));
export type UploadFields = z.output<typeof uploadFields>;

export const detailsForm = z.object({
  eventLabel: eventLabelSchema,
  swimwear: checkbox,
  evidence: checkbox,
});

const coordinate = (label: string) =>
  z.coerce
    .number({ error: `Enter ${label} as a whole number of pixels` })
    .int(`Enter ${label} as a whole number of pixels`)
    .min(0, `${label[0]!.toUpperCase()}${label.slice(1)} must be 0 or more`);

export const addFaceForm = z.object({
  x: coordinate('the left edge'),
  y: coordinate('the top edge'),
  width: coordinate('the width').refine((n) => n >= 8, 'The box must be at least 8 pixels wide'),
  height: coordinate('the height').refine((n) => n >= 8, 'The box must be at least 8 pixels high'),
});

export const faceIdForm = z.object({ faceId: z.uuid({ error: 'Choose a face box' }) });

export const linkFaceForm = z.object({
  faceId: z.uuid({ error: 'Choose a face box' }),
  pupilId: z.union([z.uuid(), z.literal('')], { error: 'Select a pupil' }),
});

export const pupilIdForm = z.object({ pupilId: z.uuid({ error: 'Select a pupil' }) });

export const renditionForm = z.object({
  purpose: z
    .string({ error: 'Select what the photo will be used for' })
    .regex(/^[a-z][a-z0-9_]{0,39}$/, 'Select what the photo will be used for'),
});

export const confirmForm = z.object({
  confirm: z.literal('yes', { error: 'Confirm that you want to do this' }),
});
