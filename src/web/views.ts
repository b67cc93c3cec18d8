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

/** Macros every page may call, loaded once as globals (importing them per render is slow). */
const globalMacros: Record<string, string> = {
  govukGenericHeader: 'govuk/components/generic-header/macro.njk',
  govukServiceNavigation: 'govuk/components/service-navigation/macro.njk',
  govukErrorSummary: 'govuk/components/error-summary/macro.njk',
  govukNotificationBanner: 'govuk/components/notification-banner/macro.njk',
  govukButton: 'govuk/components/button/macro.njk',
  govukInput: 'govuk/components/input/macro.njk',
  govukRadios: 'govuk/components/radios/macro.njk',
  govukSelect: 'govuk/components/select/macro.njk',
  govukTextarea: 'govuk/components/textarea/macro.njk',
  govukTable: 'govuk/components/table/macro.njk',
  govukSummaryList: 'govuk/components/summary-list/macro.njk',
  govukTag: 'govuk/components/tag/macro.njk',
  govukPagination: 'govuk/components/pagination/macro.njk',
  govukBackLink: 'govuk/components/back-link/macro.njk',
  govukInsetText: 'govuk/components/inset-text/macro.njk',
  govukWarningText: 'govuk/components/warning-text/macro.njk',
  govukDetails: 'govuk/components/details/macro.njk',
  govukFileUpload: 'govuk/components/file-upload/macro.njk',
  govukPanel: 'govuk/components/panel/macro.njk',
  govukFieldset: 'govuk/components/fieldset/macro.njk',
  govukCheckboxes: 'govuk/components/checkboxes/macro.njk',
  govukDateInput: 'govuk/components/date-input/macro.njk',
  lanyardTable: 'macros/table.njk',
};

export function configureNunjucks(env: nunjucks.Environment): void {
  for (const [name, file] of Object.entries(globalMacros)) {
    const template = env.getTemplate(file, true) as unknown as {
      getExported(cb: (error: Error | null, exported: Record<string, unknown>) => void): void;
    };
    template.getExported((error, exported) => {
      if (error) throw error;
      if (typeof exported[name] !== 'function') throw new Error(`${file} does not export ${name}`);
      env.addGlobal(name, exported[name]);
    });
  }
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
