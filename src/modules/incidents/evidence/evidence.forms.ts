import { z } from 'zod';

/** At most this many files at once when evidence is added to an incident later. */
export const MAX_EVIDENCE_FILES_LATER = 10;

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : undefined));

/**
 * The words that go with files added later: when and where, in the uploader's own words (the
 * files themselves are checked by the service, from their bytes).
 */
export const addEvidenceForm = z.object({
  statedAt: optionalText(200, 'When it happened'),
  statedPlace: optionalText(300, 'Where it happened'),
});

export type AddEvidenceFields = z.output<typeof addEvidenceForm>;
