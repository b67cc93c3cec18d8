import { z } from 'zod';
import { permissionTypeKeys, type PermissionTypeKey } from '../../policies/index.ts';

/** What each kind of permission is, in the words staff read. */
export const permissionTypeLabels: Record<PermissionTypeKey, string> = {
  logo_use: 'Use the school’s name or logo',
  school_device_social_media: 'Use social media on a school device',
  school_network_social_media: 'Use social media on the school network',
  phone_accessible: 'Keep my phone with me in exceptional circumstances',
  reminder_post: 'Post a reminder for parents',
  named_newspaper_photo: 'Name a pupil with a photo (for example in a newspaper)',
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const requestPermissionForm = z
  .object({
    type: z.enum(permissionTypeKeys, { error: 'Select what you are asking permission for' }),
    reason: z
      .string({ error: 'Say why you need it' })
      .trim()
      .min(1, 'Say why you need it')
      .max(2000, 'The reason must be 2000 characters or fewer'),
    pupilId: z.string().trim().optional(),
    purposeKey: z.string().trim().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type !== 'named_newspaper_photo') return;
    if (!(v.pupilId && uuid.test(v.pupilId)))
      ctx.addIssue({ code: 'custom', path: ['pupilId'], message: 'Select the pupil to be named' });
    if (!v.purposeKey)
      ctx.addIssue({
        code: 'custom',
        path: ['purposeKey'],
        message: 'Select where the photo will appear',
      });
  });
export type RequestPermissionInput = z.infer<typeof requestPermissionForm>;

const reason = z
  .string()
  .trim()
  .max(2000, 'The reason must be 2000 characters or fewer')
  .optional()
  .default('');

/** The ICT sign-off: confirm the controls are in place, or refuse with a reason. */
export const signOffForm = z
  .object({
    decision: z.enum(['signed_off', 'sign_off_refused'], {
      error: 'Select whether the controls are in place',
    }),
    reason,
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'sign_off_refused' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Say why you cannot sign it off' });
  });

/** The decider's answer: a refusal needs a reason. */
export const decideForm = z
  .object({
    decision: z.enum(['granted', 'refused'], { error: 'Select whether you grant it' }),
    reason,
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'refused' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Say why it is refused' });
  });

export const withdrawForm = z.object({
  confirm: z.literal('yes', { error: 'Confirm that you want to withdraw it' }),
  reason,
});
