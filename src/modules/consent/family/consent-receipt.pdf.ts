import { formatDateInWords, formatDateTimeInWords } from '../../../web/dates.ts';
import type { ConsentReceipt } from './consent-form.service.ts';
import { REMOVALS_NOT_RETROACTIVE, removalInWords, removalsIntro } from './consent-receipts.ts';

/**
 * A parent's (or competent pupil's) consent receipt as a PDF to keep or print: A4, the standard
 * Helvetica font built into every PDF reader, nothing downloaded. The same content as the receipt
 * page: the reference to quote, who, when (UK local time in words), the answers per use, and what
 * the school's policy means in plain words (no clause numbers).
 */
export async function consentReceiptPdf(r: ConsentReceipt, printedAt: Date): Promise<Buffer> {
  // pdfkit and its fonts are loaded on the first PDF, not at start (ADR 0010).
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 56,
      info: {
        Title: `Consent receipt ${r.reference}: ${r.pupil.givenName} ${r.pupil.familyName}`,
        Author: r.school.name,
        Subject: 'Answers about photos and videos',
        Creator: 'Lanyard',
        CreationDate: r.recordedAt,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    const heading = (text: string, size: number) => {
      doc.moveDown(0.8).font('Helvetica-Bold').fontSize(size).text(text, { width });
      doc.moveDown(0.2);
    };
    const line = (text: string, options: PDFKit.Mixins.TextOptions = {}) =>
      doc
        .font('Helvetica')
        .fontSize(11)
        .text(text, { width, ...options });
    const field = (label: string, value: string) => {
      doc.font('Helvetica-Bold').fontSize(11).text(`${label}: `, { width, continued: true });
      doc.font('Helvetica').text(value);
    };

    doc.font('Helvetica').fontSize(10).fillColor('#000000').text(r.school.name, { width });
    doc.font('Helvetica-Bold').fontSize(20).text('Your consent receipt', { width });
    doc.moveDown(0.4);
    doc.font('Helvetica-Bold').fontSize(14).text(`Receipt reference: ${r.reference}`, { width });
    line('Quote this reference if you contact the school about these answers.');

    heading('Details', 14);
    field('For', `${r.pupil.givenName} ${r.pupil.familyName}`);
    field('Given by', r.decider.name);
    field('When', formatDateTimeInWords(r.recordedAt));
    field('Period', r.period.label);
    field('Type', `${r.kindLabel} (${r.methodLabel.toLowerCase()})`);
    field('School', r.school.name);

    heading('What you decided', 14);
    for (const p of r.purposes) {
      doc.moveDown(0.3).font('Helvetica-Bold').fontSize(12).text(p.label, { width });
      for (const row of p.rows) line(`${row.label}: ${row.decisionLabel}`, { indent: 12 });
    }

    if (r.removals.length > 0) {
      heading('What will be taken down', 14);
      line(removalsIntro(r));
      for (const x of r.removals) line(`•  ${removalInWords(x)}`, { indent: 8 });
      line(REMOVALS_NOT_RETROACTIVE);
    }

    heading('What this means', 14);
    line(`From the school’s photo and video policy (version ${r.policyVersion}):`);
    for (const c of r.clauses) line(`•  ${c.text}`, { indent: 8 });

    doc.moveDown(1);
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(
        `You can change your answers or withdraw consent at any time through ${r.school.name}. ` +
          `Printed from Lanyard on ${formatDateInWords(printedAt)}.`,
        { width },
      );
    doc.end();
  });
}
