/**
 * The pre-publication checks (SPEC §3.5), each a pure function of the data the caller supplies.
 * Every result cites the profile rule it applies; nothing school-specific is written here.
 * One file per check family; this file only gathers them for run-checks.ts and the tests:
 * - check-results.ts: building a result and the wording helpers the checks share
 * - consent-checks.ts: consent at publish time and faces that outnumber tags (per channel)
 * - name-checks.ts: pupils' names and personal details in the text
 * - media-checks.ts: swimwear and quarantined media
 * - poster-checks.ts: who may post (reminder permission, designated posters)
 * - tone-check.ts: tone (a warning at most)
 * - channel-limits-check.ts: the channel's own limits (per channel)
 */

export { type ResultExtras, makeResult } from './check-results.ts';
export { consentCheck, facesCheck } from './consent-checks.ts';
export { namesCheck, personalDetailsCheck } from './name-checks.ts';
export { swimwearCheck, quarantineCheck } from './media-checks.ts';
export { reminderPermissionCheck, designatedPosterCheck } from './poster-checks.ts';
export { toneCheck } from './tone-check.ts';
export { channelLimitsCheck } from './channel-limits-check.ts';
