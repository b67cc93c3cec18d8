/**
 * Policy settings, section `media`: photos, devices and storage.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `media` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `media.…`):
 * schoolDevicesOnly, swimwearBan, retention.archiveAtYearEnd, retention.deleteAfterYears,
 * retention.keepEvidenceOfAchievement, visitorsMayPhotograph, storeOnSchoolNetworkOnly,
 * recordingInFullView.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf } from './rules.ts';

export const visitorPhotographyOptions = ['never', 'parents_at_events', 'allowed'] as const;

const r = ruleSchema;

/** The `media` section of the profile. */
export const mediaSettingsSchema = z.object({
  schoolDevicesOnly: r(z.boolean()),
  swimwearBan: r(z.boolean()),
  retention: z.object({
    archiveAtYearEnd: r(z.boolean()),
    /** Years after the end-of-year archive; null = keep until deleted by hand. */
    deleteAfterYears: r(z.number().int().min(0).max(50).nullable()),
    keepEvidenceOfAchievement: r(z.boolean()),
  }),
  visitorsMayPhotograph: r(z.enum(visitorPhotographyOptions)),
  storeOnSchoolNetworkOnly: r(z.boolean()),
  recordingInFullView: r(z.boolean()),
});
export type MediaSettings = z.infer<typeof mediaSettingsSchema>;

/** Plain-English label for each `media` rule, in display order. */
export const mediaLabels = {
  'media.schoolDevicesOnly': 'Photos may only be taken on school-owned devices',
  'media.swimwearBan': 'No photos of pupils in swimwear or swimming',
  'media.retention.archiveAtYearEnd': 'Photos are archived at the end of each academic year',
  'media.retention.deleteAfterYears': 'Years after archiving before photos are deleted',
  'media.retention.keepEvidenceOfAchievement': 'Keep photos needed as evidence of achievement',
  'media.visitorsMayPhotograph': 'Whether visitors may take photos of pupils',
  'media.storeOnSchoolNetworkOnly': 'Photos are stored on the school’s systems only',
  'media.recordingInFullView': 'Staff record events only in full view of those attending',
} as const satisfies Record<RulePathOf<MediaSettings, 'media.'>, string>;

/** Lanyard's own `media` values, each citing 'Lanyard default' with the reason. */
export const mediaDefaults: MediaSettings = {
  schoolDevicesOnly: dflt(true, 'Only school-owned devices are used.'),
  swimwearBan: dflt(true, 'No images of pupils in swimwear.'),
  retention: {
    archiveAtYearEnd: dflt(true, 'Archive at the end of the academic year.'),
    deleteAfterYears: dflt(1, 'Delete the year after archiving.'),
    keepEvidenceOfAchievement: dflt(
      true,
      'Photos kept as evidence of achievement are not deleted.',
    ),
  },
  visitorsMayPhotograph: dflt(
    'parents_at_events',
    'Visitors do not photograph pupils; parents may at organised events.',
  ),
  storeOnSchoolNetworkOnly: dflt(true, 'Photos stay on school systems.'),
  recordingInFullView: dflt(true, 'Events are recorded openly.'),
};
