import fs from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { pupilRowsHtml, type PupilListRow } from '../modules/people/views/pupil-rows.ts';
import {
  configureNunjucks,
  formatUkDate,
  memo,
  paginationParams,
  rootDir,
  templateDirs,
  withoutImports,
} from './views.ts';

/** The environment the app uses (fast paths on). */
function appEnv(): nunjucks.Environment {
  const env = nunjucks.configure(templateDirs, { autoescape: true, noCache: false });
  configureNunjucks(env);
  return env;
}

/** A plain environment: GOV.UK's template with its own imports, Intl dates. */
function plainEnv(): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(templateDirs), {
    autoescape: true,
  });
  const intl = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  env.addFilter('ukDate', (v: string) => intl.format(new Date(`${v}T12:00:00Z`)));
  env.addFilter('yearGroupLabel', (y: string) => (y === 'R' ? 'Reception' : `Year ${y}`));
  return env;
}

const tricky: PupilListRow[] = [
  {
    id: '0f0e0d0c-0000-4000-8000-000000000001',
    givenName: `Zoë "Zed" <b>`,
    familyName: `O'Brien & Sons \\ x`,
    yearGroup: 'R',
    className: null,
    dateOfBirth: '2020-02-29',
    possiblyLeftAt: new Date('2026-01-01T00:00:00Z'),
    leavingDate: null,
  },
  {
    id: '0f0e0d0c-0000-4000-8000-000000000002',
    givenName: 'Amy',
    familyName: 'Ng',
    yearGroup: '6',
    className: '6 <Birch>',
    dateOfBirth: '2014-09-01',
    possiblyLeftAt: null,
    leavingDate: '2025-07-20',
  },
];

/** The row loop pupils.njk used before the rows were rendered in code. */
const nunjucksRows = `{% for p in rows %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="/pupils/{{ p.id }}">{{ p.familyName }}, {{ p.givenName }}</a></th>
      <td class="govuk-table__cell">{{ p.yearGroup | yearGroupLabel }}</td>
      <td class="govuk-table__cell">{{ p.className or "–" }}</td>
      <td class="govuk-table__cell">{{ p.dateOfBirth | ukDate }}</td>
      <td class="govuk-table__cell">{% if p.possiblyLeftAt %}<strong class="govuk-tag govuk-tag--yellow">Possibly left</strong>{% endif %}{% if p.leavingDate %}<strong class="govuk-tag govuk-tag--grey">Left</strong>{% endif %}</td>
    </tr>{% endfor %}`;

/** The pagination partial before its items were computed in code. */
const nunjucksPagination = `{% set items = [] %}
  {% for n in range(1, result.pages + 1) %}
    {% if n == 1 or n == result.pages or (n >= result.page - 2 and n <= result.page + 2) %}
      {% set items = (items.push({ number: n, href: pageUrl + "page=" + n, current: n == result.page }), items) %}
    {% elif n == result.page - 3 or n == result.page + 3 %}
      {% set items = (items.push({ ellipsis: true }), items) %}
    {% endif %}
  {% endfor %}
  {{ govukPagination({
    previous: { href: pageUrl + "page=" + (result.page - 1) } if result.page > 1 else undefined,
    next: { href: pageUrl + "page=" + (result.page + 1) } if result.page < result.pages else undefined,
    items: items
  }) }}`;

describe('view fast paths render exactly what the templates and macros did', () => {
  it('renders the pupil rows like the Nunjucks loop, escaping every value', () => {
    const expected = plainEnv().renderString(nunjucksRows, { rows: tricky });
    expect(pupilRowsHtml(tricky)).toBe(expected);
    expect(pupilRowsHtml(tricky)).toContain(
      'O&#39;Brien &amp; Sons &#92; x, Zoë &quot;Zed&quot; &lt;b&gt;',
    );
    expect(pupilRowsHtml(tricky)).not.toContain('<b>');
  });

  it('formats calendar dates like Intl, every day from 1990 to 2040', () => {
    const intl = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    });
    for (let t = Date.UTC(1990, 0, 1); t < Date.UTC(2041, 0, 1); t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      expect(formatUkDate(iso)).toBe(intl.format(new Date(`${iso}T12:00:00Z`)));
    }
    expect(formatUkDate('2021-02-29')).toBe(intl.format(new Date('2021-02-29T12:00:00Z')));
    expect(formatUkDate(null)).toBe('');
  });

  it('builds the same pagination as the old partial, for every page of 1 to 12', () => {
    const env = appEnv();
    const govukPagination = env.getGlobal('govukPagination') as (p: unknown) => unknown;
    for (let pages = 1; pages <= 12; pages++) {
      for (let page = 1; page <= pages; page++) {
        const result = { page, pages };
        const pageUrl = '/pupils?q=a%26b&';
        const old = env.renderString(nunjucksPagination, { result, pageUrl });
        expect(String(govukPagination(paginationParams(result, pageUrl))).trim()).toBe(old.trim());
      }
    }
  });

  it('memo returns the macro output for the same parameters and renders new ones', () => {
    let calls = 0;
    const macro = (p: unknown) => {
      calls++;
      return `<b>${JSON.stringify(p)}</b>`;
    };
    expect(memo(macro, { a: 1 })).toBe('<b>{"a":1}</b>');
    expect(memo(macro, { a: 1 })).toBe('<b>{"a":1}</b>');
    expect(calls).toBe(1);
    expect(memo(macro, { a: 2 })).toBe('<b>{"a":2}</b>');
    expect(calls).toBe(2);
    // A known key stands for the parameters: kept apart from the JSON keys.
    expect(memo(macro, { a: 3 }, 'menu:3')).toBe('<b>{"a":3}</b>');
    expect(memo(macro, { a: 3 }, 'menu:3')).toBe('<b>{"a":3}</b>');
    expect(calls).toBe(3);
    expect(memo(macro, { a: 1 }, '{"a":1}')).toBe('<b>{"a":1}</b>');
    expect(calls).toBe(4);
  });

  it('serves govuk/template.njk without its per-render imports and renders the same page', () => {
    const file = path.join(rootDir, 'node_modules/govuk-frontend/dist/govuk/template.njk');
    const src = fs.readFileSync(file, 'utf8');
    const stripped = withoutImports(src);
    expect(stripped).not.toContain('{% from');
    expect(src.endsWith(stripped)).toBe(true);

    const page = `{% extends "govuk/template.njk" %}{% block content %}<p>Hello {{ name }}</p>{% endblock %}`;
    const data = { name: 'A & B', cspNonce: 'n0nce', serviceName: 'Lanyard', serviceUrl: '/' };
    const plain = plainEnv();
    const expected = plain.renderString(page, data);
    const actual = appEnv().renderString(page, data);
    expect(actual).toBe(expected);
    expect(actual).toContain('govuk-skip-link');
    expect(actual).toContain('govuk-footer');
  });
});
