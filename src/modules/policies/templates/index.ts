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
  return { ...seed, settings: { ...seed.settings, ...extra } };
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

const byKey = new Map(policyTemplates.map((t) => [t.key, t]));

/** The template with this key, or undefined. */
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
