import type { ClassCard } from './consent-office.service.ts';
import { formatDateTimeInWords } from '../../../web/dates.ts';

/**
 * The class consent card as a PDF (A4, the standard Helvetica font built into every PDF reader,
 * nothing downloaded). The same content as the printable page.
 */
export async function classCardPdf(card: ClassCard, schoolName: string): Promise<Buffer> {
  // pdfkit and its fonts are loaded on the first card, not at start (ADR 0010).
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 48,
      info: {
        Title: `Consent card: ${card.className}`,
        Author: schoolName,
        Subject: 'Who must not be photographed or published',
        Creator: 'Lanyard',
        CreationDate: card.printedAt,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    const heading = (text: string, size: number) => {
      doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).text(text, { width });
      doc.font('Helvetica').fontSize(11);
    };
    const line = (text: string, options: PDFKit.Mixins.TextOptions = {}) =>
      doc
        .font('Helvetica')
        .fontSize(11)
        .text(text, { width, ...options });

    doc.font('Helvetica').fontSize(10).fillColor('#000000').text(schoolName, { width });
    doc.font('Helvetica-Bold').fontSize(20).text(`Consent card: ${card.className}`, { width });
    line(`Printed ${formatDateTimeInWords(card.printedAt)}. ${card.pupils} pupils in the class.`);
    doc.moveDown(0.3);
    doc
      .font('Helvetica-Bold')
      .fontSize(11)
      .text(
        'This card is out of date as soon as consent changes. Check the consent register before ' +
          'publishing anything, and destroy this card after the trip or event.',
        { width },
      );

    heading('Do not photograph or film', 15);
    if (card.doNotPhotograph.length === 0) {
      line('Every pupil in this class may be photographed for at least one purpose.');
    } else {
      line('No consent for any purpose: keep these pupils out of photos and videos.');
      for (const e of card.doNotPhotograph) line(`•  ${e.name} – ${e.restriction}`, { indent: 8 });
    }

    heading('Who must not appear, by use', 15);
    line('Pupils in the list above must not appear anywhere and are not repeated here.');
    for (const p of card.purposes) {
      heading(p.label, 12);
      if (p.mustNotAppear.length === 0) line('Everyone else may appear.');
      for (const e of p.mustNotAppear) line(`•  ${e.name} – ${e.restriction}`, { indent: 8 });
      if (p.mayBeNamed) {
        line(
          p.mayBeNamed.length
            ? `Names: only ${p.mayBeNamed.join(', ')} may be named. No names for anyone else.`
            : 'Names: no pupil may be named with a photo.',
        );
      }
    }

    doc.moveDown(1);
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(
        `No record, or a form not returned, is never consent (${card.citations.consent}). ` +
          `A name with a photo needs its own written permission (${card.citations.names}). ` +
          `A withdrawal is not retroactive but applies at once to anything not yet published (${card.citations.withdrawal}).`,
        { width },
      );
    doc.end();
  });
}
