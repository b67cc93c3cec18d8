import { formatDateInWords } from '../../../web/dates.ts';
import { paragraphsOf } from './letters.defaults.ts';

export interface LetterForPdf {
  schoolName: string;
  title: string;
  subject: string;
  /** The filled letter: paragraphs separated by blank lines. */
  body: string;
  reference: string;
  createdAt: Date;
}

/**
 * A letter as a tagged PDF (PDF/UA-style structure: a document with a heading and paragraphs,
 * the language and title set, so a screen reader reads it in order): A4, Helvetica built into
 * every reader, nothing downloaded. The school's name and the date head it, then the subject,
 * then the paragraphs exactly as filled in (the same words kept in `incident_letters.body`).
 */
export async function letterPdf(letter: LetterForPdf): Promise<Buffer> {
  // pdfkit and its fonts are loaded on the first PDF, not at start (ADR 0010).
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 64,
      tagged: true,
      lang: 'en-GB',
      displayTitle: true,
      pdfVersion: '1.7',
      info: {
        Title: letter.subject,
        Author: letter.schoolName,
        Subject: `${letter.title} (${letter.reference})`,
        Creator: 'Lanyard',
        CreationDate: letter.createdAt,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const root = doc.struct('Document');
    doc.addStructure(root);
    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    const text = (value: string, structType: string, font: string, size: number, gap: number) => {
      doc
        .font(font)
        .fontSize(size)
        .fillColor('#000000')
        .text(value, { width, structParent: root, structType, lineGap: 2 });
      doc.moveDown(gap);
    };

    text(letter.schoolName, 'P', 'Helvetica-Bold', 13, 0.2);
    text(formatDateInWords(letter.createdAt), 'P', 'Helvetica', 11, 1.2);
    text(letter.subject, 'H1', 'Helvetica-Bold', 13, 0.8);
    for (const lines of paragraphsOf(letter.body))
      text(lines.join('\n'), 'P', 'Helvetica', 11, 0.7);
    text(`Reference: ${letter.reference}`, 'P', 'Helvetica', 9, 0);
    root.end();
    doc.end();
  });
}
