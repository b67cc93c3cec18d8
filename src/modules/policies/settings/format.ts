/**
 * Policy settings shown to people: a rule's value in plain English on one line (settings
 * summary, docs), with the words for every role and option key the sections use.
 */
import { MONTH_NAMES } from '../../../platform/clock.ts';
import type { ConsentPurpose } from './consent.ts';
import type { PlaybookStep } from './incidents.ts';
import type { PermissionType } from './conduct.ts';

const roleNames: Record<string, string> = {
  headteacher: 'Headteacher',
  dsl: 'Safeguarding lead',
  dpo: 'Data Protection Officer',
  business_manager: 'Business Manager',
  office: 'Office staff',
  ict_technician: 'ICT Technician',
  teacher: 'Teacher',
  support_staff: 'Support staff',
  volunteer: 'Volunteer',
  governor: 'Governors',
  parent: 'Parent or carer',
};

const tokenNames: Record<string, string> = {
  ...roleNames,
  annual: 'Every year',
  admission: 'Once, at admission',
  image: 'Photos',
  video: 'Videos',
  never_full_names: 'Never full names',
  no_names: 'No names',
  no_names_external: 'No names outside school; a name needs written permission',
  first_name_only: 'First names only, never full names',
  non_consented: 'Pupils without consent',
  all: 'All',
  never: 'Never',
  parents_at_events: 'Only parents and carers, at organised school events',
  allowed: 'Allowed',
  under_18: 'Those under 18',
  under_16: 'Those under 16',
  none: 'None',
  discouraged: 'Strongly discouraged',
  not_in_classroom: 'Not in the classroom',
  handed_in_at_office: 'Handed in at the school office for the day',
  not_allowed: 'Not allowed',
  on_joining: 'When joining',
  termly: 'Every term',
  biennial: 'Every two years',
  consent: 'consent',
  full_name: 'full name',
  personal_details: 'personal details',
  faces_outnumber_tags: 'more faces than tagged pupils',
  swimwear: 'swimwear',
  reminder_permission: 'reminder permission',
  tone: 'tone',
};

const MONTHS = MONTH_NAMES;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A rule's value in plain English, on one line (settings summary, docs). */
export function formatRuleValue(value: unknown): string {
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  if (value === null) return 'Never';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return tokenNames[value] ?? value;
  if (Array.isArray(value)) {
    if (value.length === 0) return 'None';
    if (value.every((v) => isObject(v) && 'citation' in v && 'label' in v)) {
      return value.map((v, i) => `${i + 1}. ${String((v as PlaybookStep).label)}`).join(' → ');
    }
    if (value.every((v) => isObject(v) && 'external' in v && 'label' in v)) {
      return value
        .map((v) => {
          const p = v as ConsentPurpose;
          return `${p.label}${p.external ? ' (outside school)' : ''}`;
        })
        .join('; ');
    }
    return value.map((v) => formatRuleValue(v)).join(', ');
  }
  if (isObject(value)) {
    if (typeof value.month === 'number' && typeof value.day === 'number') {
      return `${value.day} ${MONTHS[value.month - 1] ?? value.month}`;
    }
    if ('show' in value && 'text' in value) {
      return value.show ? `Shown: “${String(value.text)}”` : 'Not shown';
    }
    if ('required' in value && 'frequency' in value) {
      return value.required
        ? `Required, ${formatRuleValue(value.frequency).toLowerCase()}`
        : 'Not required';
    }
    if ('enabled' in value && 'grantedBy' in value) {
      const p = value as PermissionType;
      if (!p.enabled) return 'Not available';
      const parts = [`Granted by ${formatRuleValue(p.grantedBy)}`];
      if (p.ictSignOff) parts.push('after ICT sign-off');
      parts.push(p.expiresAfterDays === null ? 'no expiry' : `lasts ${p.expiresAfterDays} days`);
      return parts.join(', ');
    }
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${formatRuleValue(v)}`)
      .join(', ');
  }
  return String(value);
}
