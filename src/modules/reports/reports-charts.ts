import type { ReportTable } from './reports-build.ts';

/**
 * A report table's chart as an accessible SVG bar chart, drawn on the server (no browser, no
 * script, no library: ADR 0032 explains why not vega). One horizontal bar per row of the
 * table's chart column, its label above it and its value after it; a suppressed value has no bar
 * and says "fewer than 5" (or "not shown"). The SVG has role="img", a <title> and a <desc> (the
 * table's summary); the data table beside it carries the same figures. The PDF draws the same
 * geometry (`chartGeometry`) as vector shapes.
 */
export interface BarGeometry {
  label: string;
  valueText: string;
  /** 0..1 of the plot width; null when suppressed. */
  fraction: number | null;
}

export const CHART = {
  width: 640,
  rowHeight: 44,
  barHeight: 18,
  labelGap: 16,
  valueWidth: 120,
  top: 8,
  colour: '#1d70b8',
  text: '#0b0c0c',
  muted: '#505a5f',
} as const;

export function chartGeometry(table: ReportTable): BarGeometry[] | null {
  if (!table.chart || table.rows.length === 0) return null;
  const col = table.chart.column;
  const cells = table.rows.map((r) => r.cells[col]!);
  const max =
    table.chart.unit === 'percent'
      ? 100
      : Math.max(0, ...cells.filter((c) => !c.suppressed).map((c) => c.value));
  // No bar to draw (every value hidden or zero): the table and its summary say it all.
  if (!cells.some((c) => !c.suppressed && c.value > 0)) return null;
  return table.rows.map((r, i) => {
    const c = cells[i]!;
    return {
      label: r.label,
      valueText: c.text,
      fraction: c.suppressed ? null : max > 0 ? c.value / max : 0,
    };
  });
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SVG markup, or '' when the table has no chart. `id` must be unique on the page. */
export function barChartSvg(table: ReportTable, id: string): string {
  const bars = chartGeometry(table);
  if (!bars) return '';
  const { width, rowHeight, barHeight, labelGap, valueWidth, top } = CHART;
  const plot = width - valueWidth;
  const height = top + bars.length * rowHeight;
  const rows = bars
    .map((b, i) => {
      const y = top + i * rowHeight;
      const w = b.fraction === null ? 0 : Math.max(b.fraction > 0 ? 2 : 0, b.fraction * plot);
      const valueX = w + 6;
      return (
        `<text x="0" y="${y + 12}" font-size="14" fill="${CHART.text}">${esc(b.label)}</text>` +
        (b.fraction === null || w === 0
          ? ''
          : `<rect x="0" y="${y + labelGap}" width="${w.toFixed(1)}" height="${barHeight}" fill="${CHART.colour}"/>`) +
        `<text x="${valueX.toFixed(1)}" y="${y + labelGap + 14}" font-size="14" fill="${b.fraction === null ? CHART.muted : CHART.text}"${b.fraction === null ? ' font-style="italic"' : ''}>${esc(b.valueText)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="lanyard-chart" role="img" viewBox="0 0 ${width} ${height}" ` +
    `width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="${id}-title ${id}-desc" ` +
    `font-family="&quot;GDS Transport&quot;, arial, sans-serif">` +
    `<title id="${id}-title">${esc(table.title)}: bar chart</title>` +
    `<desc id="${id}-desc">${esc(table.summary)} The table below gives every figure.</desc>` +
    `<line x1="0" y1="${top}" x2="0" y2="${height}" stroke="${CHART.muted}" stroke-width="1"/>` +
    rows +
    `</svg>`
  );
}
