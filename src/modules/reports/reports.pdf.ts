import type { Report, ReportRecord, ReportTable } from './reports-build.ts';
import { CHART, chartGeometry } from './reports-charts.ts';

export interface ReportForPdf {
  title: string;
  schoolName: string;
  report: Report;
  /** The school's clause giving governors the report, when there is one. */
  clause?: string;
  generatedOn: string;
}

type Doc = PDFKit.PDFDocument;
type Struct = PDFKit.PDFStructureElement;

/**
 * The governors' monitoring report as a tagged A4 PDF (title, language, a structure tree:
 * headings, paragraphs, each chart a Figure with its summary as alternative text, each table a
 * Table of rows of header and data cells), with the same charts as the page drawn as vector
 * shapes from the same geometry (reports-charts.ts) and the same tables. pdfkit is loaded on the
 * first PDF, not at start (ADR 0010). Helvetica, built into every reader.
 */
export async function reportPdf(input: ReportForPdf): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      tagged: true,
      lang: 'en-GB',
      displayTitle: true,
      pdfVersion: '1.7',
      info: { Title: input.title, Author: input.schoolName, Creator: 'Lanyard' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const root = doc.struct('Document');
    doc.addStructure(root);
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;
    const bottom = () => doc.page.height - doc.page.margins.bottom;
    const ensure = (h: number) => {
      if (doc.y + h > bottom()) doc.addPage();
    };
    const text = (value: string, type: string, font: string, size: number, gap = 0.4) => {
      doc.font(font).fontSize(size);
      ensure(doc.heightOfString(value, { width }) + 4);
      root.add(
        doc.struct(type, {}, () => {
          doc.font(font).fontSize(size).fillColor('#0b0c0c').text(value, left, doc.y, { width });
        }),
      );
      doc.moveDown(gap);
    };

    text(input.schoolName, 'P', 'Helvetica-Bold', 12, 0.2);
    text(input.title, 'H1', 'Helvetica-Bold', 18, 0.3);
    text(
      `Made on ${input.generatedOn}. The figures are anonymised: no names in them; a count from 1 to 4 is shown as “fewer than 5”. The filtering and monitoring review is shown as it was recorded, with who recorded it.`,
      'P',
      'Helvetica',
      10,
      0.4,
    );
    if (input.clause) text(input.clause, 'P', 'Helvetica-Oblique', 10, 0.8);

    for (const section of input.report.sections) {
      ensure(80);
      text(section.title, 'H2', 'Helvetica-Bold', 15, 0.3);
      if (section.note) text(section.note, 'P', 'Helvetica', 10.5, 0.5);
      for (const record of section.records ?? [])
        drawRecord(doc, root, record, left, width, ensure);
      for (const table of section.tables) {
        ensure(120);
        text(table.title, 'H3', 'Helvetica-Bold', 12, 0.2);
        text(table.summary, 'P', 'Helvetica', 10, 0.3);
        drawChart(doc, root, table, left, width, ensure);
        drawTable(doc, root, table, left, width, ensure);
        doc.moveDown(0.8);
      }
    }
    root.end();
    doc.end();
  });
}

/**
 * A record as it was kept (reports-build.ts `ReportRecord`): its title (H3), then each label
 * (bold) and value in the recorder's words, as a definition list of tagged label and body pairs.
 */
function drawRecord(
  doc: Doc,
  root: Struct,
  record: ReportRecord,
  left: number,
  width: number,
  ensure: (h: number) => void,
) {
  ensure(80);
  doc.font('Helvetica-Bold').fontSize(12);
  root.add(
    doc.struct('H3', {}, () => {
      doc
        .font('Helvetica-Bold')
        .fontSize(12)
        .fillColor(CHART.text)
        .text(record.title, left, doc.y, { width });
    }),
  );
  doc.moveDown(0.3);
  const list = doc.struct('L');
  root.add(list);
  for (const item of record.items) {
    doc.font('Helvetica').fontSize(10);
    ensure(doc.heightOfString(item.value, { width }) + 20);
    const li = doc.struct('LI');
    list.add(li);
    li.add(
      doc.struct('Lbl', {}, () => {
        doc
          .font('Helvetica-Bold')
          .fontSize(10)
          .fillColor(CHART.text)
          .text(item.label, left, doc.y, { width });
      }),
    );
    li.add(
      doc.struct('LBody', {}, () => {
        doc
          .font('Helvetica')
          .fontSize(10)
          .fillColor(CHART.text)
          .text(item.value, left, doc.y, { width });
      }),
    );
    li.end();
    doc.moveDown(0.4);
  }
  list.end();
  doc.x = left;
  doc.moveDown(0.4);
}

function drawChart(
  doc: Doc,
  root: Struct,
  table: ReportTable,
  left: number,
  width: number,
  ensure: (h: number) => void,
) {
  const bars = chartGeometry(table);
  if (!bars) return;
  const scale = 0.62;
  const rowH = CHART.rowHeight * scale;
  const plot = (width - 90) * 1;
  ensure(bars.length * rowH + 10);
  const top = doc.y;
  root.add(
    doc.struct('Figure', { alt: `${table.title}: bar chart. ${table.summary}` }, () => {
      bars.forEach((b, i) => {
        const y = top + i * rowH;
        doc.font('Helvetica').fontSize(9).fillColor(CHART.text).text(b.label, left, y, {
          width,
          lineBreak: false,
        });
        const w = b.fraction === null ? 0 : Math.max(b.fraction > 0 ? 1.5 : 0, b.fraction * plot);
        if (w > 0) doc.rect(left, y + 11, w, CHART.barHeight * scale).fill(CHART.colour);
        doc
          .font(b.fraction === null ? 'Helvetica-Oblique' : 'Helvetica')
          .fontSize(9)
          .fillColor(b.fraction === null ? CHART.muted : CHART.text)
          .text(b.valueText, left + w + 4, y + 12, { lineBreak: false });
      });
    }),
  );
  doc.x = left;
  doc.y = top + bars.length * rowH + 6;
}

function drawTable(
  doc: Doc,
  root: Struct,
  table: ReportTable,
  left: number,
  width: number,
  ensure: (h: number) => void,
) {
  const cols = table.columns.length;
  const first = Math.min(width * 0.45, width - cols * 70);
  const colW = (width - first) / cols;
  const tableStruct = doc.struct('Table');
  root.add(tableStruct);
  const row = (cells: string[], header: boolean, bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    const h =
      Math.max(
        doc.heightOfString(cells[0]!, { width: first - 6 }),
        ...cells.slice(1).map((c) => doc.heightOfString(c, { width: colW - 6 })),
      ) + 6;
    ensure(h);
    const y = doc.y;
    const tr = doc.struct('TR');
    tableStruct.add(tr);
    cells.forEach((c, i) => {
      const x = i === 0 ? left : left + first + (i - 1) * colW;
      const w = i === 0 ? first : colW;
      tr.add(
        doc.struct(header || i === 0 ? 'TH' : 'TD', {}, () => {
          doc
            .font(bold || i === 0 ? 'Helvetica-Bold' : 'Helvetica')
            .fontSize(9)
            .fillColor(CHART.text)
            .text(c, x + 3, y + 3, { width: w - 6, align: i === 0 ? 'left' : 'right' });
        }),
      );
    });
    tr.end();
    doc
      .moveTo(left, y + h)
      .lineTo(left + width, y + h)
      .lineWidth(0.5)
      .strokeColor('#b1b4b6')
      .stroke();
    doc.x = left;
    doc.y = y + h;
  };
  row([table.rowHeader, ...table.columns], true, true);
  for (const r of table.rows) row([r.label, ...r.cells.map((c) => c.text)], false, false);
  if (table.total) row(['Total', ...table.total.map((c) => c.text)], false, true);
  tableStruct.end();
}
