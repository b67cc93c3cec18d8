import { z } from 'zod';
import type { GuidanceLink } from './guidance.defaults.ts';

/** How many links a page can have (the form shows this many pairs of boxes). */
export const maxGuidanceLinks = 3;

const linkText = z.string().trim().max(120, 'The link text must be 120 characters or fewer');
const linkUrl = z
  .string()
  .trim()
  .max(500, 'The web address must be 500 characters or fewer')
  .refine((v) => v === '' || /^https?:\/\/[^\s/$.?#][^\s]*$/i.test(v), {
    message: 'Enter a web address starting with https://',
  });

const noteField = z
  .string({ error: 'Say what you changed and why' })
  .trim()
  .min(1, 'Say what you changed and why')
  .max(300, 'The note must be 300 characters or fewer');

/** The edit page: the summary, one step per line, up to three links, and why. */
export const guidanceForm = z
  .object({
    summary: z
      .string({ error: 'Enter a summary' })
      .trim()
      .min(1, 'Enter a summary')
      .max(600, 'The summary must be 600 characters or fewer'),
    steps: z
      .string({ error: 'Enter the steps, one on each line' })
      .transform((s) =>
        s
          .replace(/\r\n?/g, '\n')
          .split('\n')
          .map((l) => l.trim().replace(/^(\d+[.)]|[-*•])\s*/, ''))
          .filter((l) => l !== ''),
      )
      .pipe(
        z
          .array(z.string().max(400, 'Each step must be 400 characters or fewer'))
          .min(1, 'Enter the steps, one on each line')
          .max(15, 'Enter 15 steps or fewer'),
      ),
    link1Text: linkText.default(''),
    link1Url: linkUrl.default(''),
    link2Text: linkText.default(''),
    link2Url: linkUrl.default(''),
    link3Text: linkText.default(''),
    link3Url: linkUrl.default(''),
    note: noteField,
  })
  .superRefine((v, ctx) => {
    for (const i of [1, 2, 3] as const) {
      const text = v[`link${i}Text`];
      const url = v[`link${i}Url`];
      if (text && !url) {
        ctx.addIssue({
          code: 'custom',
          path: [`link${i}Url`],
          message: 'Enter the web address for this link',
        });
      }
      if (url && !text) {
        ctx.addIssue({
          code: 'custom',
          path: [`link${i}Text`],
          message: 'Enter the words for this link',
        });
      }
    }
  })
  .transform((v) => ({
    summary: v.summary,
    steps: v.steps,
    links: ([1, 2, 3] as const)
      .map((i) => ({ text: v[`link${i}Text`], url: v[`link${i}Url`] }))
      .filter((l): l is GuidanceLink => l.text !== '' && l.url !== ''),
    note: v.note,
  }));
export type GuidanceInput = z.output<typeof guidanceForm>;

/** Putting Lanyard's text back needs a reason too. */
export const restoreGuidanceForm = z.object({ note: noteField });

/** The form's fields from a page's content (to fill the edit page). */
export function guidanceFormValues(content: {
  summary: string;
  steps: string[];
  links: GuidanceLink[];
}): Record<string, string> {
  const values: Record<string, string> = {
    summary: content.summary,
    steps: content.steps.join('\n'),
  };
  content.links.slice(0, maxGuidanceLinks).forEach((l, i) => {
    values[`link${i + 1}Text`] = l.text;
    values[`link${i + 1}Url`] = l.url;
  });
  return values;
}
