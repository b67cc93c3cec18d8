import { escapeHtml, formatUkDate, yearGroupLabel } from '../../../web/views/format.ts';

export interface PupilListRow {
  id: string;
  givenName: string;
  familyName: string;
  yearGroup: string;
  className: string | null;
  dateOfBirth: string | null;
  possiblyLeftAt: Date | string | null;
  leavingDate: string | null;
}

/**
 * The rows of the pupil list table (`<tr>`s of GOV.UK table markup), written out in code: the
 * list is the busiest page and a Nunjucks loop costs about ten times as much per row. Every value
 * is escaped exactly as Nunjucks' autoescape would; pupils.njk keeps the table, caption and
 * header.
 */
export function pupilRowsHtml(rows: readonly PupilListRow[]): string {
  let html = '';
  for (const p of rows) {
    html +=
      '\n    <tr class="govuk-table__row">\n' +
      `      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="/pupils/${escapeHtml(p.id)}">${escapeHtml(p.familyName)}, ${escapeHtml(p.givenName)}</a></th>\n` +
      `      <td class="govuk-table__cell">${escapeHtml(yearGroupLabel(p.yearGroup))}</td>\n` +
      `      <td class="govuk-table__cell">${p.className ? escapeHtml(p.className) : '–'}</td>\n` +
      `      <td class="govuk-table__cell">${escapeHtml(formatUkDate(p.dateOfBirth))}</td>\n` +
      `      <td class="govuk-table__cell">${p.possiblyLeftAt ? '<strong class="govuk-tag govuk-tag--yellow">Possibly left</strong>' : ''}${p.leavingDate ? '<strong class="govuk-tag govuk-tag--grey">Left</strong>' : ''}</td>\n` +
      '    </tr>';
  }
  return html;
}
