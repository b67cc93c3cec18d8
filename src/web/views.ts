import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type nunjucks from 'nunjucks';
import { roleLabels, type StaffRole } from '../modules/auth/principal.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const rootDir = path.resolve(here, '../..');

export const templateDirs = [
  path.join(rootDir, 'src/web/views'),
  path.join(rootDir, 'src/modules'),
  path.join(rootDir, 'node_modules/govuk-frontend/dist'),
];

const ukDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const ukDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

export function yearGroupLabel(y: string): string {
  if (y === 'R') return 'Reception';
  if (y === 'N1' || y === 'N2') return `Nursery ${y.slice(1)}`;
  return `Year ${y}`;
}

/** A policy rule's value in plain words for the policy pages. */
export function displayValue(v: unknown): string {
  if (v === true) return 'Yes';
  if (v === false) return 'No';
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.map((x) => displayValue(x)).join('; ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.label === 'string') return o.label;
    return Object.entries(o)
      .filter(([k]) => k !== 'citation')
      .map(([k, x]) => `${k}: ${displayValue(x)}`)
      .join(', ');
  }
  return String(v).replace(/_/g, ' ');
}

export function configureNunjucks(env: nunjucks.Environment): void {
  env.addFilter('ruleValue', displayValue);
  env.addFilter('ukDate', (v: unknown) => {
    const d = toDate(v);
    return d ? ukDate.format(d) : '';
  });
  env.addFilter('ukDateTime', (v: unknown) => {
    const d = toDate(v);
    return d ? ukDateTime.format(d) : '';
  });
  env.addFilter('roleLabel', (r: string) => roleLabels[r as StaffRole] ?? r);
  env.addFilter('yearGroupLabel', (y: string) => yearGroupLabel(y));
  env.addFilter('json', (v: unknown) => JSON.stringify(v, null, 2));
  env.addGlobal('roleLabels', roleLabels);
}
