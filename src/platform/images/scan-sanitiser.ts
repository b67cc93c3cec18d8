import type * as PdfLibModule from '@cantoo/pdf-lib';
import type { PDFDict, PDFDocument, PDFObject } from '@cantoo/pdf-lib';
import type { ImageProcessor } from './image-processor.ts';

/** The kinds of scanned document Lanyard stores as evidence. */
export type ScanType = 'application/pdf' | 'image/jpeg' | 'image/png';

/** A document that cannot be read as the type its first bytes claim (the uploader is told). */
export class ScanRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanRejectedError';
  }
}

type PdfLib = typeof PdfLibModule;

let pdfLib: Promise<PdfLib> | undefined;

/**
 * pdf-lib (with culori and its HTML parser: ~0.4 s and ~40 MB) is loaded on the first PDF, not at
 * start-up (ADR 0010); one promise, so the cost is paid once.
 */
function loadPdfLib(): Promise<PdfLib> {
  pdfLib ??= import('@cantoo/pdf-lib').catch((error: unknown) => {
    pdfLib = undefined;
    throw error;
  });
  return pdfLib;
}

/** Keys whose values say who made a document, where, or with what (never needed as evidence). */
const METADATA_KEY_NAMES = ['Metadata', 'PieceInfo', 'LastModified'];

/**
 * Removes what a scan says about who made it, where and with what, before it is stored (issue 10
 * item 11): images through sharp (EXIF incl. GPS and Artist, XMP, IPTC, ICC, comments); PDFs
 * through pdf-lib (ADR 0012): the document information dictionary (Author, Creator, Producer,
 * Title, Subject, Keywords, dates), every XMP `/Metadata` stream (document, pages, images),
 * `/PieceInfo` application data, objects no longer referenced (earlier revisions kept by
 * incremental saves), and the APP1–APP15 and comment segments of JPEG images inside the PDF
 * (a phone's "scan to PDF" embeds the camera's JPEG, EXIF and GPS included). Page content is
 * not touched: what the parent wrote and signed is kept exactly.
 */
export class ScanSanitiser {
  constructor(private readonly images: Pick<ImageProcessor, 'stripScan' | 'hasMetadata'>) {}

  async strip(data: Buffer, type: ScanType): Promise<Buffer> {
    if (type === 'application/pdf') return stripPdf(data);
    return (await this.images.stripScan(data)).data;
  }

  /**
   * The scan as it may be served: unchanged when it carries no metadata (everything stored since
   * the sanitiser existed), else a stripped copy (a scan stored before). A file that cannot be
   * read as its type is returned unchanged.
   */
  async clean(data: Buffer, type: ScanType): Promise<Buffer> {
    try {
      if (type === 'application/pdf') {
        const stripped = await stripPdfReporting(data);
        return stripped.changed ? stripped.data : data;
      }
      return (await this.images.hasMetadata(data)) ? await this.strip(data, type) : data;
    } catch {
      return data;
    }
  }
}

export async function stripPdf(data: Buffer): Promise<Buffer> {
  return (await stripPdfReporting(data)).data;
}

/** The stripped PDF, and whether there was anything to strip. */
async function stripPdfReporting(data: Buffer): Promise<{ data: Buffer; changed: boolean }> {
  const L = await loadPdfLib();
  const { PDFRawStream, PDFRef } = L;
  const metadataKeys = METADATA_KEY_NAMES.map((k) => L.PDFName.of(k));
  let doc: PDFDocument;
  let pages = 0;
  try {
    doc = await L.PDFDocument.load(data, { updateMetadata: false, ignoreEncryption: false });
    pages = doc.getPageCount();
  } catch {
    pages = 0;
  }
  if (pages === 0) {
    throw new ScanRejectedError(
      'The PDF cannot be read (it may be damaged or password-protected). Scan the form again and upload the new file.',
    );
  }
  doc = doc!;
  const context = doc.context;
  const trailer = context.trailerInfo;
  const info = trailer.Info;
  let changed = info !== undefined || trailer.ID !== undefined;
  trailer.Info = undefined;
  trailer.ID = undefined;
  if (info instanceof PDFRef) context.delete(info);

  for (const [ref, object] of context.enumerateIndirectObjects()) {
    const dict = dictOf(L, object);
    if (!dict) continue;
    for (const key of metadataKeys) {
      const value = dict.get(key);
      if (value === undefined) continue;
      if (value instanceof PDFRef) context.delete(value);
      dict.delete(key);
      changed = true;
    }
    if (object instanceof PDFRawStream && isDctImage(L, object.dict)) {
      const cleaned = stripJpegSegments(Buffer.from(object.contents));
      if (cleaned && cleaned.length < object.contents.length) {
        context.assign(ref, PDFRawStream.of(object.dict, cleaned));
        changed = true;
      }
    }
  }
  if (collectGarbage(L, doc) > 0) changed = true;
  // Plain objects (no object streams) so what is stored can be checked byte for byte.
  const out = await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
  return { data: Buffer.from(out), changed };
}

function dictOf(L: PdfLib, object: PDFObject): PDFDict | undefined {
  const { PDFDict, PDFStream } = L;
  if (object instanceof PDFDict) return object;
  if (object instanceof PDFStream) return object.dict;
  return undefined;
}

function isDctImage(L: PdfLib, dict: PDFDict): boolean {
  const { PDFArray, PDFName } = L;
  const filter = dict.get(PDFName.of('Filter'));
  const names = filter instanceof PDFArray ? filter.asArray() : [filter];
  return (
    names.length === 1 &&
    names[0] instanceof PDFName &&
    names[0].asString() === '/DCTDecode' &&
    dict.get(PDFName.of('Subtype'))?.toString() === '/Image'
  );
}

/**
 * A JPEG without its APP1–APP15 (EXIF, XMP, ICC, IPTC, …) and COM segments, losslessly (the
 * compressed image data is copied as it is; APP0 JFIF and APP14 Adobe, which say how to decode
 * the colours, are kept). `undefined` if the data is not a JPEG this can walk.
 */
export function stripJpegSegments(jpeg: Buffer): Buffer | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  const out: Buffer[] = [jpeg.subarray(0, 2)];
  let i = 2;
  while (i + 4 <= jpeg.length) {
    if (jpeg[i] !== 0xff) return undefined;
    const marker = jpeg[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xda) {
      out.push(jpeg.subarray(i)); // start of scan: the rest is image data
      return Buffer.concat(out);
    }
    const length = jpeg.readUInt16BE(i + 2);
    if (length < 2 || i + 2 + length > jpeg.length) return undefined;
    const isApp = marker >= 0xe1 && marker <= 0xef && marker !== 0xee;
    if (!isApp && marker !== 0xfe) out.push(jpeg.subarray(i, i + 2 + length));
    i += 2 + length;
  }
  return undefined;
}

/** Deletes every indirect object that the document no longer reaches from its catalog. */
function collectGarbage(L: PdfLib, doc: PDFDocument): number {
  const { PDFArray, PDFDict, PDFRef, PDFStream } = L;
  const context = doc.context;
  const reachable = new Set<string>();
  const stack: PDFObject[] = [context.trailerInfo.Root as PDFObject];
  while (stack.length) {
    const o = stack.pop()!;
    if (o instanceof PDFRef) {
      const tag = o.tag;
      if (reachable.has(tag)) continue;
      reachable.add(tag);
      const target = context.lookup(o);
      if (target) stack.push(target);
    } else if (o instanceof PDFDict) {
      for (const [, v] of o.entries()) stack.push(v);
    } else if (o instanceof PDFArray) {
      stack.push(...o.asArray());
    } else if (o instanceof PDFStream) {
      stack.push(o.dict);
    }
  }
  let deleted = 0;
  for (const [ref] of context.enumerateIndirectObjects()) {
    if (!reachable.has(ref.tag)) {
      context.delete(ref);
      deleted += 1;
    }
  }
  return deleted;
}
