import { PDFDocument } from '@cantoo/pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  jpegScanWithGps,
  pdfScanWithAuthor,
  pngScanWithText,
  secretsIn,
} from '../../../test/support/scan-fixtures.ts';
import { ImageProcessor } from './image-processor.ts';
import { ScanRejectedError, ScanSanitiser, stripJpegSegments } from './scan-sanitiser.ts';

const sanitiser = new ScanSanitiser(new ImageProcessor());

describe('ScanSanitiser', () => {
  it('the fixtures really carry the metadata', async () => {
    const jpeg = await jpegScanWithGps();
    expect(secretsIn(jpeg)).toEqual(expect.arrayContaining(['LANYARD-SECRET', 'Exif\0']));
    // The GPS IFD pointer (tag 0x8825) is in the EXIF block.
    const exif = (await sharp(jpeg).metadata()).exif!;
    expect(
      exif.includes(Buffer.from([0x25, 0x88])) || exif.includes(Buffer.from([0x88, 0x25])),
    ).toBe(true);
    expect(secretsIn(await pngScanWithText())).toContain('LANYARD-SECRET');
    const pdf = await pdfScanWithAuthor();
    expect(secretsIn(pdf)).toEqual(
      expect.arrayContaining(['/Author', '/Producer', '/Metadata', 'Exif\0', 'adobe:ns:meta']),
    );
    expect((await PDFDocument.load(pdf)).getAuthor()).toContain('Jane Parent');
  });

  it('strips EXIF (GPS, Artist) from a JPEG scan and keeps the page', async () => {
    const out = await sanitiser.strip(await jpegScanWithGps(), 'image/jpeg');
    expect(secretsIn(out)).toEqual([]);
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 120, height: 160 });
    expect(meta.exif).toBeUndefined();
  });

  it('strips metadata from a PNG scan and keeps it a PNG', async () => {
    const out = await sanitiser.strip(await pngScanWithText(), 'image/png');
    expect(secretsIn(out)).toEqual([]);
    expect((await sharp(out).metadata()).format).toBe('png');
  });

  it('strips the document information, XMP, old revisions and the embedded JPEG’s EXIF from a PDF', async () => {
    const out = await sanitiser.strip(await pdfScanWithAuthor(), 'application/pdf');
    expect(secretsIn(out)).toEqual([]);
    const doc = await PDFDocument.load(out, { updateMetadata: false });
    expect(doc.getAuthor()).toBeUndefined();
    expect(doc.getCreator()).toBeUndefined();
    expect(doc.getProducer()).toBeUndefined();
    expect(doc.getTitle()).toBeUndefined();
    expect(doc.getPageCount()).toBe(1);
    // The page image is still a readable JPEG.
    const jpeg = out.subarray(out.indexOf(Buffer.from([0xff, 0xd8, 0xff])));
    expect((await sharp(jpeg).metadata()).width).toBe(120);
  });

  it('refuses a damaged PDF with a message for the uploader', async () => {
    await expect(
      sanitiser.strip(Buffer.from('%PDF-1.7\nthis is not a PDF'), 'application/pdf'),
    ).rejects.toBeInstanceOf(ScanRejectedError);
  });

  it('stripJpegSegments drops APP1 and COM but keeps the image data', async () => {
    const jpeg = await jpegScanWithGps();
    const out = stripJpegSegments(jpeg)!;
    expect(out.length).toBeLessThan(jpeg.length);
    expect(secretsIn(out)).toEqual([]);
    expect((await sharp(out).raw().toBuffer()).length).toBe(120 * 160 * 3);
    expect(stripJpegSegments(Buffer.from('not a jpeg'))).toBeUndefined();
  });
  it('clean() serves a stripped scan unchanged and strips one stored before (PDF and JPEG)', async () => {
    const pdf = await pdfScanWithAuthor();
    const stored = await sanitiser.strip(pdf, 'application/pdf');
    expect((await sanitiser.clean(stored, 'application/pdf')).equals(stored)).toBe(true);
    expect(secretsIn(await sanitiser.clean(pdf, 'application/pdf'))).toEqual([]);
    const jpeg = await jpegScanWithGps();
    const storedJpeg = await sanitiser.strip(jpeg, 'image/jpeg');
    expect((await sanitiser.clean(storedJpeg, 'image/jpeg')).equals(storedJpeg)).toBe(true);
    expect(secretsIn(await sanitiser.clean(jpeg, 'image/jpeg'))).toEqual([]);
  });
});
