/**
 * Policy settings: building blocks several sections share (the staff-role vocabulary, keys,
 * labels, lists without repeats). No rules here.
 */
import { z } from 'zod';
import { staffRoles } from '../../auth/index.ts';

/** Staff roles, shared with sign-in (auth/principal.ts). */
export const policyRoleSchema = z.enum(staffRoles);
export type PolicyRole = z.infer<typeof policyRoleSchema>;

export const slug = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9_]*$/, 'Use lower-case letters, digits and underscores');

export const label = z.string().trim().min(1).max(160);

export function unique<T>(items: readonly T[]): boolean {
  return new Set(items).size === items.length;
}

export function uniqueArray<T extends z.ZodType>(item: T) {
  return z.array(item).refine((a) => unique(a), 'Each item may appear only once');
}
