import { z } from 'zod';
import type { PolicySettings } from '../../policies/index.ts';
import { consentKey, type ConsentKind } from '../register/consent-rules.ts';

/**
 * The parents' online consent form (issue 3 item 4): one page per child, one fieldset per
 * purpose in the school's policy, Yes/No radios for photos and for videos (or one question for
 * both when the policy does not separate them), and the naming question where the policy needs
 * written permission to name a pupil with a photo.
 */

export type QuestionKind = ConsentKind | 'media';

export interface FormQuestion {
  /** The form field and the id its error links to, e.g. 'school_website-image'. */
  field: string;
  kind: QuestionKind;
  purposeLabel: string;
  /** The register keys this answer decides (both media types for a combined question). */
  keys: string[];
  legend: string;
  /** Shown in the error summary when the question is not answered. */
  required: string;
}

export interface PurposeGroup {
  key: string;
  label: string;
  /** Plain English: where these pictures go and who sees them. */
  hint: string;
  external: boolean;
  questions: FormQuestion[];
}

/** Plain-English explanations of the standard purposes (policy-settings standardConsentPurposes). */
const purposeHints: Record<string, string> = {
  classroom_display:
    'Pictures on classroom walls, corridors and noticeboards. Only people inside the school see them.',
  class_photograph:
    'The yearly class photo. Families of the other children in the class can see and buy it.',
  school_publications:
    'The school prospectus, newsletters and leaflets. They are handed out or put online, so anyone can see them.',
  local_newspapers:
    'Stories about the school in local newspapers, on local radio or TV and their websites. Anyone can see them.',
  school_website:
    'News and pages on the school’s own website. Anyone on the internet can see them.',
  school_social_media:
    'The school’s own social media accounts, such as Facebook or Instagram. Anyone can see and share these posts.',
};

export function purposeHint(key: string, external: boolean): string {
  return (
    purposeHints[key] ??
    (external
      ? 'People outside the school can see these pictures.'
      : 'Only people inside the school see these pictures.')
  );
}

function lower(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** The questions on one child's page, grouped by purpose, from the school's policy. */
export function formQuestions(settings: PolicySettings, childName: string): PurposeGroup[] {
  const c = settings.consent;
  const media = c.mediaTypes.value;
  const separate = c.separateConsentPerMediaType.value || media.length === 1;
  return c.purposes.value.map((purpose) => {
    const questions: FormQuestion[] = [];
    const what = lower(purpose.label);
    if (separate) {
      for (const m of media) {
        const word = m === 'image' ? 'photos' : 'videos';
        questions.push({
          field: `${purpose.key}-${m}`,
          kind: m,
          purposeLabel: purpose.label,
          keys: [consentKey(purpose.key, m)],
          legend: `${m === 'image' ? 'Photos' : 'Videos'} of ${childName}`,
          required: `Select yes if we may use ${word} of ${childName} for ${what}`,
        });
      }
    } else {
      questions.push({
        field: `${purpose.key}-media`,
        kind: 'media',
        purposeLabel: purpose.label,
        keys: media.map((m) => consentKey(purpose.key, m)),
        legend: `Photos and videos of ${childName}`,
        required: `Select yes if we may use photos and videos of ${childName} for ${what}`,
      });
    }
    if (c.namedPhotoNeedsWrittenPermission.value && purpose.external) {
      questions.push({
        field: `${purpose.key}-name`,
        kind: 'name',
        purposeLabel: purpose.label,
        keys: [consentKey(purpose.key, 'name')],
        legend: `${childName}’s name printed with a photo`,
        required: `Select yes if we may print ${childName}’s name with a photo for ${what}`,
      });
    }
    return {
      key: purpose.key,
      label: purpose.label,
      hint: purposeHint(purpose.key, purpose.external),
      external: purpose.external,
      questions,
    };
  });
}

export function allQuestions(groups: readonly PurposeGroup[]): FormQuestion[] {
  return groups.flatMap((g) => g.questions);
}

const yesNo = (message: string) => z.enum(['yes', 'no'], { error: () => message });

/** The zod schema for one child's page: every question needs Yes or No. */
export function answersSchema(groups: readonly PurposeGroup[]) {
  const shape: Record<string, ReturnType<typeof yesNo>> = {};
  for (const q of allQuestions(groups)) shape[q.field] = yesNo(q.required);
  return z.object(shape);
}

/** Yes/No per field → the register's decision per key. */
export function answersToDecisions(
  groups: readonly PurposeGroup[],
  answers: Record<string, string>,
): Record<string, 'granted' | 'refused'> {
  const out: Record<string, 'granted' | 'refused'> = {};
  for (const q of allQuestions(groups)) {
    const a = answers[q.field];
    if (a !== 'yes' && a !== 'no') continue;
    for (const key of q.keys) out[key] = a === 'yes' ? 'granted' : 'refused';
  }
  return out;
}

/**
 * Decisions per key → Yes/No per field, to prefill the page. A combined question is prefilled
 * only when every key it covers has the same answer.
 */
export function decisionsToAnswers(
  groups: readonly PurposeGroup[],
  decisions: Record<string, string>,
): Record<string, 'yes' | 'no'> {
  const out: Record<string, 'yes' | 'no'> = {};
  for (const q of allQuestions(groups)) {
    const values = new Set(q.keys.map((k) => decisions[k]));
    if (values.size !== 1) continue;
    const [v] = [...values];
    if (v === 'granted') out[q.field] = 'yes';
    else if (v === 'refused') out[q.field] = 'no';
  }
  return out;
}

/** The route parameters of a child's form. */
export const childFormParams = z.object({
  pupilId: z.uuid(),
  periodKey: z.string().regex(/^(\d{4}-\d{2}|admission)$/),
});

export const receiptParams = z.object({ recordId: z.uuid() });

export const parentParams = z.object({ parentId: z.uuid() });
