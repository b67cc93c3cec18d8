import sharp from 'sharp';
import { PDFDocument, PDFName, PDFString } from '@cantoo/pdf-lib';

/** What a phone or scanner writes into a consent-form scan, which Lanyard must never serve. */
export const SCAN_SECRETS = {
  artist: 'LANYARD-SECRET-ARTIST Jane Parent',
  make: 'LanyardScanCam',
  gpsLatitude: '51/1 30/1 3230/100',
  author: 'LANYARD-SECRET-AUTHOR Jane Parent',
  creator: 'LANYARD-SECRET-CREATOR PhoneScanner 4.2',
  producer: 'LANYARD-SECRET-PRODUCER ScanLib',
  title: 'LANYARD-SECRET-TITLE Consent form for Amelia Smith',
  xmp: 'LANYARD-SECRET-XMP-CREATOR',
  oldAuthor: 'LANYARD-SECRET-OLD-REVISION-AUTHOR',
};

/** A page-like picture: white with dark "handwriting" lines, so the scan has real content. */
async function page(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3, 255);
  for (let y = 10; y < height; y += 12)
    for (let x = 8; x < width - 8; x++) {
      const p = (y * width + x) * 3;
      data[p] = data[p + 1] = data[p + 2] = (x * 7) % 40;
    }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A JPEG scan with EXIF Artist, Make and GPS, as a phone's camera writes it. */
export async function jpegScanWithGps(): Promise<Buffer> {
  return sharp(await page(120, 160))
    .withExif({
      IFD0: { Artist: SCAN_SECRETS.artist, Make: SCAN_SECRETS.make },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: SCAN_SECRETS.gpsLatitude,
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 4366/100',
      },
    })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A PNG scan with a text chunk naming its author. */
export async function pngScanWithText(): Promise<Buffer> {
  return sharp(await page(80, 100))
    .withExif({ IFD0: { Artist: SCAN_SECRETS.artist } })
    .png()
    .toBuffer();
}

/**
 * A PDF as a phone's "scan to PDF" makes it: document information (Author, Creator, Producer,
 * Title), an XMP metadata stream, the page as an embedded camera JPEG with EXIF GPS, and an
 * earlier revision's information dictionary left behind as an unreferenced object.
 */
export async function pdfScanWithAuthor(): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setAuthor(SCAN_SECRETS.author);
  doc.setCreator(SCAN_SECRETS.creator);
  doc.setProducer(SCAN_SECRETS.producer);
  doc.setTitle(SCAN_SECRETS.title);
  const xmp = doc.context.stream(
    `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${SCAN_SECRETS.xmp}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`,
    { Type: 'Metadata', Subtype: 'XML' },
  );
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(xmp));
  // An earlier revision's /Info, no longer referenced but still in the file.
  doc.context.register(doc.context.obj({ Author: PDFString.of(SCAN_SECRETS.oldAuthor) }));
  const image = await doc.embedJpg(await jpegScanWithGps());
  const p = doc.addPage([image.width, image.height]);
  p.drawImage(image, { x: 0, y: 0, width: image.width, height: image.height });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Every secret string that appears in these bytes (as Latin-1 text). */
export function secretsIn(bytes: Buffer): string[] {
  const text = bytes.toString('latin1');
  const markers = [
    ...Object.values(SCAN_SECRETS),
    'LANYARD-SECRET',
    'GPS',
    'Exif\0',
    'adobe:ns:meta',
    '/Author',
    '/Creator',
    '/Producer',
    '/Title',
    '/Metadata',
  ];
  return markers.filter((m) => text.includes(m));
}
