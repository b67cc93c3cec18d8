// Tests of platform/images build their fixtures with sharp (this folder is the one allowed to).
import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ImageProcessor,
  ImageRejectedError,
  obscureRegions,
  sniffFormat,
  type EncodedImage,
  type ImageRejectionCode,
} from './image-processor.ts';

const processor = new ImageProcessor();

// ---------------------------------------------------------------------------------------------
// Fixtures

const SECRET = {
  exif: 'LANYARD-SECRET-EXIF-DESCRIPTION',
  gpsLatitude: '51/1 30/1 3230/100',
  xmp: 'LANYARD-SECRET-XMP-CREATOR',
  iptc: 'LANYARD-SECRET-IPTC-CAPTION',
};

/** A detailed test picture (gradients and a checkerboard) so JPEG has real content to encode. */
async function picture(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const check = ((x >> 3) + (y >> 3)) % 2 === 0 ? 60 : 0;
      data[p] = (x * 255) / width;
      data[p + 1] = (y * 255) / height;
      data[p + 2] = 100 + check;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** An APP13 "Photoshop 3.0" segment holding an IPTC caption (IIM record 2, dataset 120). */
function iptcSegment(caption: string): Buffer {
  const text = Buffer.from(caption, 'latin1');
  const iim = Buffer.concat([
    Buffer.from([0x1c, 0x02, 0x78, text.length >> 8, text.length & 255]),
    text,
  ]);
  const padded = iim.length % 2 ? Buffer.concat([iim, Buffer.from([0])]) : iim;
  const resource = Buffer.concat([
    Buffer.from('8BIM', 'latin1'),
    Buffer.from([0x04, 0x04, 0x00, 0x00]), // resource id 0x0404 (IPTC), empty name padded
    Buffer.from([0, 0, iim.length >> 8, iim.length & 255]),
    padded,
  ]);
  const body = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource]);
  const length = body.length + 2;
  return Buffer.concat([Buffer.from([0xff, 0xed, length >> 8, length & 255]), body]);
}

/**
 * A JPEG as a phone delivers it: EXIF (with GPS and orientation 6 = rotate 90°), XMP, an ICC
 * profile (Display P3) and an IPTC block. 64×40 stored, so 40×64 once upright.
 */
async function jpegWithEverything(): Promise<Buffer> {
  const jpeg = await sharp(await picture(64, 40))
    .withMetadata({ orientation: 6 })
    .withIccProfile('p3')
    .withExif({
      IFD0: { ImageDescription: SECRET.exif, Make: 'LanyardCam' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: SECRET.gpsLatitude,
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 4366/100',
      },
    })
    .withXmp(
      `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${SECRET.xmp}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`,
    )
    .jpeg()
    .toBuffer();
  // Insert the IPTC segment straight after SOI.
  return Buffer.concat([jpeg.subarray(0, 2), iptcSegment(SECRET.iptc), jpeg.subarray(2)]);
}

function expectNoMetadataBytes(buf: Buffer): void {
  const text = buf.toString('latin1');
  for (const marker of [
    SECRET.exif,
    SECRET.xmp,
    SECRET.iptc,
    'LanyardCam',
    'GPS',
    'Exif\0',
    'http://ns.adobe.com/xap',
    'adobe:ns:meta',
    'Photoshop 3.0',
    '8BIM',
    'ICC_PROFILE',
  ]) {
    expect(text.includes(marker), `rendition contains ${JSON.stringify(marker)}`).toBe(false);
  }
}

/** The marker of every JPEG segment before the image data (SOS). */
function segmentsBeforeScan(jpeg: Buffer): number[] {
  const markers: number[] = [];
  let p = 2;
  while (p + 4 <= jpeg.length) {
    expect(jpeg[p]).toBe(0xff);
    const marker = jpeg[p + 1]!;
    markers.push(marker);
    if (marker === 0xda) break;
    p += 2 + jpeg.readUInt16BE(p + 2);
  }
  return markers;
}

async function expectNoMetadata(image: EncodedImage): Promise<void> {
  expect(sniffFormat(image.data)).toBe('jpeg');
  expectNoMetadataBytes(image.data);
  // Only the segments a bare JPEG needs: JFIF (APP0), quantisation and Huffman tables, frame
  // header, restart interval, scan. No APP1–APP15 (EXIF, XMP, ICC, IPTC…) and no comment (COM).
  for (const marker of segmentsBeforeScan(image.data)) {
    expect(
      [0xe0, 0xdb, 0xc4, 0xc0, 0xc1, 0xc2, 0xdd, 0xda],
      `segment 0xff${marker.toString(16)}`,
    ).toContain(marker);
  }
  const meta = await sharp(image.data).metadata();
  expect(meta.exif).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.iptc).toBeUndefined();
  expect(meta.icc).toBeUndefined();
  expect(meta.orientation).toBeUndefined();
  expect(meta.comments ?? []).toEqual([]);
  expect(meta.space).toBe('srgb');
}

async function rejection(p: Promise<unknown>): Promise<ImageRejectedError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImageRejectedError);
  return e as ImageRejectedError;
}

async function expectRejected(buf: Buffer, code: ImageRejectionCode): Promise<ImageRejectedError> {
  const e = await rejection(processor.inspect(buf));
  expect(e.code).toBe(code);
  // A message for a teacher: no library names, no stack, says what to do.
  expect(e.message).not.toMatch(/vips|sharp|heif:|Error:|\bat\b .*\.js/i);
  expect(e.message.length).toBeGreaterThan(40);
  // Every entry point refuses the same way.
  expect((await rejection(processor.normalise(buf))).code).toBe(code);
  expect((await rejection(processor.thumbnail(buf, 64))).code).toBe(code);
  return e;
}

/** A PNG with a valid header declaring width × height and a tiny, valid-looking IDAT. */
function pngDeclaring(width: number, height: number, rows = 4): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  // A few rows of zeros compress to almost nothing; a real bomb would carry all of them.
  const idat = deflateSync(Buffer.alloc((width * 3 + 1) * rows));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------

describe('metadata stripping', () => {
  it('the fixture really carries EXIF GPS, XMP, IPTC and an ICC profile', async () => {
    const input = await jpegWithEverything();
    const meta = await sharp(input).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.exif?.toString('latin1')).toContain(SECRET.exif);
    // The GPS IFD pointer (tag 0x8825, little-endian here) and the latitude reference.
    expect(meta.exif?.toString('latin1')).toMatch(/\x25\x88/);
    expect(segmentsBeforeScan(input)).toContain(0xe1); // APP1 (EXIF, XMP)
    expect(segmentsBeforeScan(input)).toContain(0xe2); // APP2 (ICC)
    expect(segmentsBeforeScan(input)).toContain(0xed); // APP13 (IPTC)
    expect(meta.xmp?.toString()).toContain(SECRET.xmp);
    expect(meta.iptc?.toString('latin1')).toContain(SECRET.iptc);
    expect(meta.icc).toBeDefined();
    expect(input.toString('latin1')).toContain('Photoshop 3.0');
  });

  it('no rendition Lanyard produces contains any of it', async () => {
    const input = await jpegWithEverything();
    const normalised = await processor.normalise(input);
    expect([normalised.width, normalised.height]).toEqual([40, 64]); // autoOrient applied
    await expectNoMetadata(normalised);

    const { image, pixels } = await processor.normaliseWithPixels(input);
    expect([pixels.width, pixels.height]).toEqual([40, 64]);
    await expectNoMetadata(image);

    const thumb = await processor.thumbnail(input, 32);
    expect(Math.max(thumb.width, thumb.height)).toBe(32);
    expect(thumb.height).toBeGreaterThan(thumb.width);
    await expectNoMetadata(thumb);

    const box = [{ x: 5, y: 5, width: 20, height: 20 }];
    await expectNoMetadata(await processor.blurRegions(input, box));
    await expectNoMetadata(await processor.blurRegions(pixels, box));
    await expectNoMetadata(await processor.encodeJpeg(pixels));
    // A rendition of a rendition stays clean too.
    await expectNoMetadata(await processor.thumbnail(normalised.data, 16));
  });

  it('strips EXIF and XMP from PNG and WebP uploads as well', async () => {
    for (const format of ['png', 'webp'] as const) {
      const input = await sharp(await picture(48, 32))
        .withExif({ IFD0: { ImageDescription: SECRET.exif } })
        .withXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/">${SECRET.xmp}</x:xmpmeta>`)
        .toFormat(format)
        .toBuffer();
      const meta = await sharp(input).metadata();
      expect(meta.exif ?? meta.xmp, `${format} fixture has metadata`).toBeDefined();
      expect((await processor.inspect(input)).format).toBe(format);
      await expectNoMetadata(await processor.normalise(input));
      await expectNoMetadata(await processor.thumbnail(input, 24));
    }
  });

  it('flattens transparency onto white', async () => {
    const rgba = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const { pixels } = await processor.normaliseWithPixels(rgba);
    expect(pixels.data.length).toBe(8 * 8 * 3);
    expect(Math.min(...pixels.data)).toBeGreaterThan(245);
  });
});

describe('format allow-list and bad files', () => {
  it('recognises JPEG, PNG and WebP by content, and reports the upright size', async () => {
    const png = await picture(30, 20);
    const jpeg = await sharp(png).jpeg().toBuffer();
    const webp = await sharp(png).webp().toBuffer();
    expect(await processor.inspect(png)).toEqual({
      format: 'png',
      width: 30,
      height: 20,
      pages: 1,
    });
    expect((await processor.inspect(jpeg)).format).toBe('jpeg');
    expect((await processor.inspect(webp)).format).toBe('webp');
    const rotated = await jpegWithEverything();
    expect(await processor.inspect(rotated)).toMatchObject({ width: 40, height: 64 });
  });

  it('refuses something that is not an image', async () => {
    await expectRejected(Buffer.from('Minutes of the governors meeting, 3 March'), 'not_an_image');
    await expectRejected(Buffer.alloc(0), 'not_an_image');
    await expectRejected(Buffer.from('%PDF-1.7\n1 0 obj'), 'not_an_image');
  });

  it('refuses a text file named .jpg (the name is never used, only the content)', async () => {
    const e = await expectRejected(
      Buffer.from('holiday-photo.jpg\nnot really a photo\n'),
      'not_an_image',
    );
    expect(e.message).toMatch(/JPEG, PNG or WebP/);
  });

  it('refuses SVG, with or without an XML declaration or byte-order mark', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
    await expectRejected(Buffer.from(svg), 'svg');
    await expectRejected(Buffer.from(`<?xml version="1.0"?>\n<!DOCTYPE svg>\n${svg}`), 'svg');
    await expectRejected(Buffer.from(`\uFEFF  \n${svg}`), 'svg');
    await expectRejected(Buffer.from(svg, 'utf16le'), 'svg');
  });

  it('refuses a truncated JPEG and a truncated PNG', async () => {
    const big = await picture(400, 300);
    const jpeg = await sharp(big).jpeg({ quality: 90 }).toBuffer();
    await expectRejected(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 'truncated');
    await expectRejected(big.subarray(0, Math.floor(big.length * 0.6)), 'truncated');
    // Only the header left.
    await expectRejected(jpeg.subarray(0, 300), 'truncated');
  });

  it('refuses a 60-megapixel PNG from its header, before decoding it', async () => {
    const huge = await sharp({
      create: { width: 8000, height: 7500, channels: 3, background: '#336699' },
    })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const started = performance.now();
    await expectRejected(huge, 'too_many_pixels');
    expect(performance.now() - started).toBeLessThan(1000);
  }, 30_000);

  it('refuses a decompression bomb (a tiny PNG declaring 20000×20000) quickly', async () => {
    const bomb = pngDeclaring(20_000, 20_000);
    expect(bomb.length).toBeLessThan(2_000);
    const started = performance.now();
    await expectRejected(bomb, 'too_many_pixels');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses a bomb just under the pixel limit whose data stops early as truncated', async () => {
    const bomb = pngDeclaring(7_000, 7_000, 2);
    const started = performance.now();
    await expectRejected(bomb, 'truncated');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('the pixel limit is configurable', async () => {
    const small = new ImageProcessor({ maxInputPixels: 100 * 100 });
    const e = await rejection(small.inspect(await picture(101, 100)));
    expect(e.code).toBe('too_many_pixels');
    await expect(small.inspect(await picture(100, 100))).resolves.toMatchObject({ width: 100 });
  });

  it('refuses HEIC with a clear message when this sharp build cannot decode it', async () => {
    // An ISO media file with the HEIC brand. If a build can decode HEIC, the (garbage) body
    // is refused as damaged instead.
    const ftyp = Buffer.concat([
      Buffer.from([0, 0, 0, 24]),
      Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'),
      Buffer.alloc(200, 7),
    ]);
    expect(sniffFormat(ftyp)).toBe('heic');
    if (await processor.canDecodeHeic()) {
      await expectRejected(ftyp, 'truncated');
    } else {
      const e = await expectRejected(ftyp, 'heic_unsupported');
      expect(e.message).toMatch(/HEIC/);
      expect(e.message).toMatch(/JPEG|Most Compatible/);
    }
  });

  it('refuses formats outside the allow-list (GIF, TIFF, AVIF) as unsupported', async () => {
    const png = await picture(16, 16);
    await expectRejected(await sharp(png).gif().toBuffer(), 'unsupported_format');
    await expectRejected(await sharp(png).tiff().toBuffer(), 'unsupported_format');
    await expectRejected(await sharp(png).avif().toBuffer(), 'unsupported_format');
  });

  it('refuses a video as not an image', async () => {
    const mp4 = Buffer.concat([
      Buffer.from([0, 0, 0, 20]),
      Buffer.from('ftypisom\0\0\0\0isom', 'latin1'),
      Buffer.alloc(100),
    ]);
    await expectRejected(mp4, 'not_an_image');
  });
});

describe('renditions', () => {
  it('thumbnail never enlarges', async () => {
    const t = await processor.thumbnail(await picture(40, 20), 320);
    expect([t.width, t.height]).toEqual([40, 20]);
  });

  it('resizeRaw scales raw pixels exactly', async () => {
    const { pixels } = await processor.normaliseWithPixels(await picture(100, 50));
    const half = await processor.resizeRaw(pixels, 50, 25);
    expect([half.width, half.height, half.data.length]).toEqual([50, 25, 50 * 25 * 3]);
  });
});

describe('blurRegions', () => {
  it('replaces every pixel of the region and leaves the rest of the image alone', async () => {
    const width = 200;
    const height = 100;
    const data = Buffer.alloc(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251; // high-frequency noise
    const pixels = { data: Buffer.from(data), width, height };
    const region = { x: 50, y: 30, width: 40, height: 40 };
    obscureRegions(pixels, [region], { margin: 0.25 });
    // Inside the region: almost no pixel keeps its value, and the detail is gone.
    let same = 0;
    let diffSum = 0;
    for (let y = region.y; y < region.y + region.height; y++) {
      for (let x = region.x; x < region.x + region.width; x++) {
        const p = (y * width + x) * 3;
        if (pixels.data[p] === data[p]) same++;
        diffSum += Math.abs(pixels.data[p]! - pixels.data[p + 3]!);
      }
    }
    expect(same / (region.width * region.height)).toBeLessThan(0.05);
    expect(diffSum / (region.width * region.height)).toBeLessThan(3); // smooth: neighbours agree
    // Outside the grown region (margin 25 % = 10 px): untouched.
    for (const [x, y] of [
      [39, 50],
      [101, 50],
      [70, 19],
      [70, 81],
      [0, 0],
      [199, 99],
    ] as const) {
      const p = (y * width + x) * 3;
      expect(pixels.data.subarray(p, p + 3)).toEqual(data.subarray(p, p + 3));
    }
  });

  it('adds fresh random noise each time, so two blurs of one photo differ', async () => {
    const png = await picture(120, 120);
    const box = [{ x: 30, y: 30, width: 60, height: 60 }];
    const a = await processor.rawRgb((await processor.blurRegions(png, box)).data);
    const b = await processor.rawRgb((await processor.blurRegions(png, box)).data);
    let differ = 0;
    for (let i = 0; i < a.data.length; i++) if (Math.abs(a.data[i]! - b.data[i]!) > 2) differ++;
    expect(differ).toBeGreaterThan(1000);
  });

  it('ignores empty regions and clips regions at the image edge', async () => {
    const pixels = { data: Buffer.alloc(30 * 20 * 3, 128), width: 30, height: 20 };
    obscureRegions(pixels, [
      { x: 25, y: 15, width: 20, height: 20 },
      { x: 0, y: 0, width: 0, height: 5 },
    ]);
    const out = await processor.blurRegions(pixels, [{ x: -10, y: -10, width: 15, height: 15 }]);
    expect([out.width, out.height]).toEqual([30, 20]);
  });
});
