/**
 * The built-in policy templates: each seed school's rules as data, every rule citing its clause.
 * A new school starts from one of these (SPEC §2). Templates are frozen: copy the settings with
 * `structuredClone(template.settings)` before changing them.
 */
import type {
  CompletePolicyTemplate as PolicyTemplate,
  PolicyTemplate as SeedTemplate,
} from '../policy-settings.ts';
import { jumpTemplate as jumpSeed } from './seed-000-jump.ts';
import { avenueTemplate as avenueSeed } from './seed-001-avenue.ts';
import { christChurchTemplate as christChurchSeed } from './seed-002-christ-church.ts';
import { sacredHeartTemplate as sacredHeartSeed } from './seed-003-sacred-heart.ts';
import { johnCliffordTemplate as johnCliffordSeed } from './seed-004-john-clifford.ts';
import { schoolWords } from './school-words.ts';
import { lanyardDefaults } from '../policy-settings.ts';

export type { CompletePolicyTemplate as PolicyTemplate } from '../policy-settings.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A seed file's sections with its `people` and `channels` sections (school-words.ts). */
function complete(seed: SeedTemplate): PolicyTemplate {
  const extra = schoolWords[seed.key];
  if (!extra) throw new Error(`No people and channels sections for the ${seed.key} template`);
  // Retention (issue 16 item 6): no seed has a rule but 004 D's photographs (media.retention);
  // every template starts from Lanyard's IRMS-based schedule.
  return {
    ...seed,
    settings: { ...seed.settings, ...extra, retention: structuredClone(lanyardDefaults.retention) },
  };
}

const jumpTemplate = complete(jumpSeed);
const avenueTemplate = complete(avenueSeed);
const christChurchTemplate = complete(christChurchSeed);
const sacredHeartTemplate = complete(sacredHeartSeed);
const johnCliffordTemplate = complete(johnCliffordSeed);

/** The five seed policies, in seed order (000–004). */
export const policyTemplates: readonly PolicyTemplate[] = deepFreeze([
  jumpTemplate,
  avenueTemplate,
  christChurchTemplate,
  sacredHeartTemplate,
  johnCliffordTemplate,
]);

/** The key of the starting point that is Lanyard's own defaults rather than a seed school's. */
export const LANYARD_DEFAULTS_KEY = 'lanyard-defaults';

/**
 * Lanyard's own defaults as a starting point (issue 15 item 3): every rule cites 'Lanyard
 * default' with its reason, for a school whose policy is like none of the five.
 */
export const lanyardDefaultsTemplate: PolicyTemplate = deepFreeze({
  key: LANYARD_DEFAULTS_KEY,
  name: 'Lanyard’s defaults — a starting point of common practice',
  school: 'Lanyard',
  seedFile: '',
  summary:
    'Common practice in English schools where no seed policy is followed: yearly consent for each use of ' +
    'photos, no full names with photos, every post approved by the Headteacher, faces of pupils without ' +
    'consent blurred. Every rule says why Lanyard chose it; change any of them to your own policy’s.',
  settings: structuredClone(lanyardDefaults),
});

/** Where a school can start or switch to: Lanyard's defaults, then the five seed policies. */
export const startingPoints: readonly PolicyTemplate[] = [
  lanyardDefaultsTemplate,
  ...policyTemplates,
];

const byKey = new Map(startingPoints.map((t) => [t.key, t]));

/** The starting point (a template, or Lanyard's defaults) with this key, or undefined. */
export function getTemplate(key: string): PolicyTemplate | undefined {
  return byKey.get(key);
}

export {
  jumpTemplate,
  avenueTemplate,
  christChurchTemplate,
  sacredHeartTemplate,
  johnCliffordTemplate,
};
