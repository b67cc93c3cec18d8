/**
 * The built-in policy templates: each seed school's rules as data, every rule citing its clause.
 * A new school starts from one of these (SPEC §2). Templates are frozen: copy the settings with
 * `structuredClone(template.settings)` before changing them.
 */
import type { PolicyTemplate } from '../policy-settings.ts';
import { jumpTemplate } from './seed-000-jump.ts';
import { avenueTemplate } from './seed-001-avenue.ts';
import { christChurchTemplate } from './seed-002-christ-church.ts';
import { sacredHeartTemplate } from './seed-003-sacred-heart.ts';
import { johnCliffordTemplate } from './seed-004-john-clifford.ts';

export type { PolicyTemplate } from '../policy-settings.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

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
