import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { roleLabels, type StaffRole } from '../modules/auth/principal.ts';
import { pupilRowsHtml } from '../modules/people/views/pupil-rows.ts';
import { formatDateInWords, formatDateTimeInWords } from './dates.ts';
import { escapeHtml, formatUkDate, toDate, yearGroupLabel } from './views/format.ts';
import { formatCitation, type Citation } from '../modules/policies/policy-settings.ts';

export { formatUkDate, yearGroupLabel };

const here = path.dirname(fileURLToPath(import.meta.url));
export const rootDir = path.resolve(here, '../..');

export const templateDirs = [
  path.join(rootDir, 'src/web/views'),
  path.join(rootDir, 'src/modules'),
  path.join(rootDir, 'node_modules/govuk-frontend/dist'),
];

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

/** GOV.UK's page template, which imports five macros at its top on every render. */
const govukTemplatePath = path.join(rootDir, 'node_modules/govuk-frontend/dist/govuk/template.njk');

/** The macros govuk/template.njk imports, as globals instead (see withoutImports). */
const templateMacros: Record<string, string> = {
  govukAttributes: 'govuk/macros/attributes.njk',
  govukSkipLink: 'govuk/components/skip-link/macro.njk',
  govukHeader: 'govuk/components/header/macro.njk',
  govukServiceNavigation: 'govuk/components/service-navigation/macro.njk',
  govukFooter: 'govuk/components/footer/macro.njk',
};

const templateImports = /^(?:\{% from "\.\/[\w/.-]+" import (\w+) -%\}\s*)+/;

/**
 * govuk/template.njk without its leading `{% from … import … -%}` lines: Nunjucks re-runs every
 * import on every render (about half the cost of a page's layout), and the same macros are
 * globals here, so the template renders exactly as before. Only when the imports are exactly
 * the macros registered as globals; otherwise the template is served unchanged.
 */
export function withoutImports(src: string): string {
  const m = templateImports.exec(src);
  if (!m) return src;
  const names = [...m[0].matchAll(/import (\w+)/g)].map((x) => x[1]!);
  if (!names.every((n) => n in templateMacros)) return src;
  return src.slice(m[0].length);
}

interface SourceLoader {
  getSource(name: string): { src: string; path: string } | null;
}

export function configureNunjucks(env: nunjucks.Environment): void {
  for (const [name, file] of Object.entries(templateMacros)) {
    if (!(name in globalMacros)) globalMacros[name] = file;
  }
  for (const loader of (env as unknown as { loaders: SourceLoader[] }).loaders) {
    const getSource = loader.getSource.bind(loader);
    loader.getSource = (name) => {
      const source = getSource(name);
      if (source && source.path === govukTemplatePath) source.src = withoutImports(source.src);
      return source;
    };
  }
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
  /** A citation from the school's own profile, as its seed and section, or 'School decision'. */
  // Issue 16: a citation of a policy's clause (a seed's, the school's own section, or Lanyard's
  // default) links to the school's own wording: /policy/cite finds the clause in the school's
  // current text and opens /policy/text at it. 'School decision' has no clause and is plain text.
  env.addFilter('citation', (c: Citation | null | undefined) => {
    if (!c) return '';
    const words = formatCitation(c);
    if (c.seed === null && !c.school && c.section !== 'Lanyard default') return words;
    const href = `/policy/cite?section=${encodeURIComponent(c.section)}`;
    return new nunjucks.runtime.SafeString(
      `<a class="govuk-link" href="${escapeHtml(href)}">${escapeHtml(words)}</a>`,
    );
  });
  env.addFilter('ukDate', formatUkDate);
  // Every page's times in UK local time in words ("6 December 2026 at 6:28pm"), see dates.ts.
  env.addFilter('ukDateTime', (v: unknown) => {
    const d = toDate(v);
    return d ? formatDateTimeInWords(d) : '';
  });
  env.addFilter('dateInWords', formatDateInWords);
  env.addFilter('dateTimeInWords', formatDateTimeInWords);
  // The school's own title for a role where the page has it (`roleTitles`, from the profile's
  // people.roleTitles: app.ts adds it for signed-in staff), else Lanyard's name.
  env.addFilter('roleLabel', function (this: { ctx?: Record<string, unknown> }, r: string) {
    const own = (this?.ctx?.roleTitles as Record<string, string> | undefined)?.[r];
    return own ?? roleLabels[r as StaffRole] ?? r;
  });
  env.addFilter('yearGroupLabel', (y: string) => yearGroupLabel(y));
  env.addFilter('json', (v: unknown) => JSON.stringify(v, null, 2));
  env.addGlobal('roleLabels', roleLabels);
  env.addGlobal('memo', memo);
  env.addGlobal('paginationParams', paginationParams);
  env.addGlobal(
    'pupilRows',
    (rows: Parameters<typeof pupilRowsHtml>[0]) =>
      new nunjucks.runtime.SafeString(pupilRowsHtml(rows)),
  );
}

type Macro = (params: unknown) => unknown;

const memoLimit = 500;
const memoised = new WeakMap<Macro, Map<string, unknown>>();

/**
 * `{{ memo(govukSelect, { … }) }}`: the macro's output for these exact parameters, rendered once
 * and then reused. A GOV.UK macro's output depends only on its parameters (imported macros see no
 * page context), so the key is the parameters as JSON and the result is exactly what the macro
 * renders. For calls whose parameters repeat across requests (the header and navigation of a
 * role, a list's filters and pagination); never for calls with a caller block. Each macro keeps
 * at most 500 results (oldest dropped first). `knownKey`, when the caller has one that names the
 * parameters exactly (a menu's `memoKey`: navigation.ts), saves serialising them on every page;
 * such keys cannot meet a JSON key (they start with a NUL character).
 */
export function memo(macro: Macro, params: unknown, knownKey?: string): unknown {
  if (typeof macro !== 'function') throw new Error('memo() needs a macro as its first argument');
  let cache = memoised.get(macro);
  if (!cache) memoised.set(macro, (cache = new Map()));
  const key = knownKey === undefined ? (JSON.stringify(params) ?? '') : `\u0000${knownKey}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = macro(params);
  if (cache.size >= memoLimit) cache.delete(cache.keys().next().value!);
  cache.set(key, html);
  return html;
}

interface PageInfo {
  page: number;
  pages: number;
}

/**
 * The govukPagination parameters for page `page` of `pages`: first, last, and two either side of
 * the current page, with ellipses for the gaps. `pageUrl` ends in `?` or `&`.
 */
export function paginationParams(result: PageInfo, pageUrl: string) {
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  const { page, pages } = result;
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || (n >= page - 2 && n <= page + 2)) {
      items.push({ number: n, href: `${pageUrl}page=${n}`, current: n === page });
    } else if (n === page - 3 || n === page + 3) {
      items.push({ ellipsis: true });
    }
  }
  return {
    previous: page > 1 ? { href: `${pageUrl}page=${page - 1}` } : undefined,
    next: page < pages ? { href: `${pageUrl}page=${page + 1}` } : undefined,
    items,
  };
}
