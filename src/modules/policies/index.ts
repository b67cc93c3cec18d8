/**
 * The policies module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries").
 *
 * - The policy profile's shape (`policy-settings.ts`: its schema, types, rule paths, labels and
 *   `getRule`): the contract every other module reads its rules through, exported whole.
 * - The policy service's type (`Services.policies`) and its date helper.
 * - The five templates (tests and the demo build profiles from them).
 */
export * from './policy-settings.ts';
export { addDays, addMonths, type CurrentPolicy, type PolicyService } from './policies.service.ts';
export {
  avenueTemplate,
  getTemplate,
  policyTemplates,
  sacredHeartTemplate,
} from './templates/index.ts';
// The policy as a document (issue 16 item 1): the text's shape, the templates' texts and how a
// citation names a place in a text.
export {
  clauseAnchor,
  clauseIds,
  policyTextSchema,
  resolveCitation,
  sectionAnchor,
  seedTexts,
  templateText,
  type PolicyClause,
  type PolicySection,
  type PolicyText,
  type TextPlace,
} from './templates/texts/index.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { PolicyHistory } from './policies.aggregates.ts';

// A rule's value in words (issue 15): for pages outside the policy pages.
export { valueInWords } from './policy-display.ts';

// Retention (issue 16 item 6): a former member of staff's name kept on the versions they made.
export { keepFormerStaffNamesInPolicyVersions } from './policies-retention.repository.ts';
