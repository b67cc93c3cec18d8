import { z } from 'zod';
import type { DeclarationKind } from '../conduct.policy.ts';

export const declarationKinds = ['friend_request', 'social_contact', 'online_presence'] as const;

export const declarationKindLabels: Record<DeclarationKind, string> = {
  friend_request: 'A friend or follow request from a pupil, former pupil or parent',
  social_contact: 'Social contact with a pupil’s family',
  online_presence: 'A check of my own online presence',
};
export const declarationKindShort: Record<DeclarationKind, string> = {
  friend_request: 'Friend or follow request',
  social_contact: 'Social contact with a family',
  online_presence: 'Check of my online presence',
};

export const requestFromOptions = ['pupil', 'ex_pupil', 'parent'] as const;
export const requestFromLabels: Record<(typeof requestFromOptions)[number], string> = {
  pupil: 'A pupil',
  ex_pupil: 'A former pupil',
  parent: 'A parent or carer',
};
export const actionOptions = ['declined', 'blocked', 'reported'] as const;
export const actionLabels: Record<(typeof actionOptions)[number], string> = {
  declined: 'I declined or ignored it',
  blocked: 'I blocked them',
  reported: 'I reported it to the platform',
};
export const presenceOptions = ['nothing_found', 'found_and_removed', 'found_need_help'] as const;
export const presenceLabels: Record<(typeof presenceOptions)[number], string> = {
  nothing_found: 'I found nothing that needs changing',
  found_and_removed: 'I found something and have changed or removed it',
  found_need_help: 'I found something I need help with',
};

const text = (max: number, empty: string, long: string) =>
  z.string({ error: empty }).trim().min(1, empty).max(max, long);
const optionalText = (max: number, long: string) =>
  z.string().trim().max(max, long).optional().default('');
const optionalId = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const friendRequestForm = z
  .object({
    platform: text(
      60,
      'Enter the app or website',
      'The app or website must be 60 characters or fewer',
    ),
    from: z.enum(requestFromOptions, { error: 'Select who the request came from' }),
    pupilId: optionalId,
    parentId: optionalId,
    exPupilName: optionalText(120, 'The name must be 120 characters or fewer'),
    actionTaken: z.enum(actionOptions, { error: 'Select what you did' }),
    details: optionalText(2000, 'The details must be 2000 characters or fewer'),
  })
  .superRefine((v, ctx) => {
    if (v.from === 'pupil' && !(v.pupilId && uuid.test(v.pupilId)))
      ctx.addIssue({ code: 'custom', path: ['pupilId'], message: 'Select the pupil' });
    if (v.from === 'parent' && !(v.parentId && uuid.test(v.parentId)))
      ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'Select the parent or carer' });
    if (v.from === 'ex_pupil' && !v.exPupilName)
      ctx.addIssue({
        code: 'custom',
        path: ['exPupilName'],
        message: 'Enter the former pupil’s name',
      });
  });
export type FriendRequestInput = z.infer<typeof friendRequestForm>;

export const socialContactForm = z.object({
  pupilId: z
    .string({ error: 'Select the pupil whose family it is' })
    .regex(uuid, 'Select the pupil whose family it is'),
  details: text(
    2000,
    'Say what the contact is, for example a relative or a neighbour',
    'The details must be 2000 characters or fewer',
  ),
});
export type SocialContactInput = z.infer<typeof socialContactForm>;

export const onlinePresenceForm = z
  .object({
    outcome: z.enum(presenceOptions, { error: 'Select what your check found' }),
    details: optionalText(2000, 'The details must be 2000 characters or fewer'),
  })
  .superRefine((v, ctx) => {
    if (v.outcome !== 'nothing_found' && !v.details)
      ctx.addIssue({ code: 'custom', path: ['details'], message: 'Say what you found' });
  });
export type OnlinePresenceInput = z.infer<typeof onlinePresenceForm>;

export type DeclarationInput =
  | { kind: 'friend_request'; value: FriendRequestInput }
  | { kind: 'social_contact'; value: SocialContactInput }
  | { kind: 'online_presence'; value: OnlinePresenceInput };

export const declarationForms = {
  friend_request: friendRequestForm,
  social_contact: socialContactForm,
  online_presence: onlinePresenceForm,
} as const;

/** The reviewer's response. */
export const reviewForm = z.object({
  response: text(2000, 'Enter your response', 'The response must be 2000 characters or fewer'),
});
