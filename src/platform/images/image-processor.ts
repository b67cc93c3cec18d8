// This folder is the only place that may import sharp (ARCHITECTURE rule 1).
import type sharp from 'sharp';
import type { JpegOptions, Sharp } from 'sharp';
import { assertPositiveInt, assertRaw, copyRaw, obscureRegions } from './raw-pixels.ts';

export { obscureRegions };

type SharpFactory = typeof sharp;

let sharpModule: Promise<SharpFactory> | undefined;

/**
 * sharp and libvips, loaded on first use (ADR 0010): most processes never touch an image, and
 * loading them costs about 0.1 s and 10 MB at start.
 */
function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

/** Formats Lanyard accepts, recognised by their content (magic bytes), never by file name. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'heic';

/** Why an image was refused; each has a plain-English message for the uploader. */
export type ImageRejectionCode =
  | 'not_an_image'
  | 'svg'
  | 'unsupported_format'
  | 'truncated'
  | 'too_many_pixels'
  | 'heic_unsupported';

/**
 * An uploaded file that Lanyard will not process. `message` is written for a teacher and can be
 * shown on the upload page as it is; `code` is for logic, logs and tests.
 */
export class ImageRejectedError extends Error {
  constructor(
    readonly code: ImageRejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImageRejectedError';
  }
}

const MESSAGES: Record<ImageRejectionCode, string> = {
  not_an_image:
    'The file is not a photo Lanyard can read. Upload a JPEG, PNG or WebP photo straight from the camera or tablet.',
  svg: 'The file is an SVG drawing, which Lanyard does not accept because it can contain hidden code. Upload a JPEG, PNG or WebP photo instead.',
  unsupported_format:
    'Lanyard cannot use photos in this format. Save or export it as JPEG, PNG or WebP and upload it again.',
  truncated:
    'The photo is incomplete or damaged (the file stops part way through). Copy it from the camera or tablet again and upload the new copy.',
  too_many_pixels:
    'The photo is too large: it has more pixels than Lanyard allows. Reduce its size (for example to 12 megapixels) and upload it again.',
  heic_unsupported:
    'The photo is in HEIC format (the iPhone and iPad default), which this Lanyard server cannot read. Export it as JPEG, or set the device to Settings > Camera > Formats > Most Compatible, and upload it again.',
};

/** What {@link ImageProcessor.inspect} learns about an accepted image. */
export interface ImageInfo {
  format: ImageFormat;
  /** Width after the EXIF orientation is applied (as it will appear once normalised). */
  width: number;
  /** Height after the EXIF orientation is applied. */
  height: number;
  /** Frames in the file (animated WebP); only the first is ever used. */
  pages: number;
}

/** An encoded image Lanyard produced: always JPEG, sRGB, upright, with no metadata at all. */
export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Uncompressed 8-bit RGB pixels, row by row, 3 bytes per pixel, no padding. */
export interface RawRgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/** A rectangle in pixels of the normalised image (e.g. a detected face). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BlurOptions {
  /**
   * How many blocks across its longer side each region is reduced to before being smeared back;
   * fewer is stronger. Default 4, allowed 2–12. Whatever the value, the region's pixels are
   * replaced, never filtered, so the original cannot be recovered from the output.
   */
  strength?: number;
  /**
   * Extra margin around each region as a fraction of its size on every side. Default 0.4: a
   * detector's face box stops at the chin and brows, and the head's outline is itself a cue.
   */
  margin?: number;
}

export interface ImageProcessorOptions {
  /** Refuse images with more pixels than this (checked from the header, before decoding). Default 50 MP. */
  maxInputPixels?: number;
  /** JPEG quality of renditions. Default 85. */
  jpegQuality?: number;
  /**
   * libvips worker threads per image (sharp.concurrency, which is process-wide). Leave unset to
   * keep sharp's default; 1 keeps a worker to one core.
   */
  threads?: number;
  /**
   * Keep libvips' operation cache (process-wide). Default false: every upload is a different
   * image, so the cache only holds on to memory.
   */
  cache?: boolean;
}

const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * Every image operation Lanyard performs, on top of sharp. Inputs are untrusted uploads:
 * - the format is recognised from magic bytes (JPEG, PNG, WebP; HEIC only when this sharp build
 *   can decode it), SVG and everything else are refused;
 * - the pixel count is checked from the header before any pixel is decoded (`limitInputPixels`),
 *   so a decompression bomb (a tiny file declaring huge dimensions) is refused in milliseconds;
 * - decoding fails on truncated data (`failOn: 'truncated'`);
 * - every output is a fresh JPEG: EXIF orientation applied (`autoOrient()`), converted to sRGB,
 *   and *all* metadata dropped (EXIF incl. GPS, XMP, IPTC, ICC profile, comments).
 * Refusals throw {@link ImageRejectedError}.
 */
export class ImageProcessor {
  readonly maxInputPixels: number;
  private readonly jpegQuality: number;
  private heicDecodable: boolean | undefined;
  private readonly threads: number | undefined;
  private readonly cache: boolean;
  private loaded: Promise<SharpFactory> | undefined;

  constructor(options: ImageProcessorOptions = {}) {
    this.maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_PIXELS;
    this.jpegQuality = options.jpegQuality ?? 85;
    this.threads = options.threads;
    this.cache = options.cache === true;
  }

  /** sharp, with this processor's process-wide settings applied before its first use. */
  private sharp(): Promise<SharpFactory> {
    this.loaded ??= loadSharp().then((sharp) => {
      if (this.threads !== undefined) sharp.concurrency(this.threads);
      if (!this.cache) sharp.cache(false);
      return sharp;
    });
    return this.loaded;
  }

  /**
   * Checks that `buf` is an image Lanyard accepts and returns its format and upright size.
   * It decodes the whole file (at reduced scale where the format allows), so truncated files are
   * caught here rather than half-way through ingest.
   */
  async inspect(buf: Buffer): Promise<ImageInfo> {
    const format = sniffFormat(buf);
    const meta = await this.readHeader(buf, format);
    // A full, validating decode; JPEG shrink-on-load makes it cheap for large photos.
    const image = await this.open(buf);
    await this.run(() =>
      image.resize(256, 256, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer(),
    );
    return { format, width: meta.width, height: meta.height, pages: meta.pages };
  }

  /** The publishable base: upright, sRGB, JPEG, no metadata, alpha flattened onto white. */
  async normalise(buf: Buffer): Promise<EncodedImage> {
    await this.readHeader(buf, sniffFormat(buf));
    const image = await this.open(buf);
    const { data, info } = await this.run(() =>
      image
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .jpeg(this.jpegOptions())
        .toBuffer({ resolveWithObject: true }),
    );
    return { data, width: info.width, height: info.height };
  }

  /**
   * Normalises and also returns the decoded pixels, decoding the input only once (what the
   * ingest job and the face detector need together).
   */
  async normaliseWithPixels(buf: Buffer): Promise<{ image: EncodedImage; pixels: RawRgbImage }> {
    const pixels = await this.rawRgb(buf);
    const image = await this.encodeJpeg(pixels);
    return { image, pixels };
  }

  /** A JPEG no larger than `maxSize` × `maxSize` (aspect kept, never enlarged), no metadata. */
  async thumbnail(buf: Buffer, maxSize: number): Promise<EncodedImage> {
    assertPositiveInt(maxSize, 'maxSize');
    await this.readHeader(buf, sniffFormat(buf));
    const image = await this.open(buf);
    const { data, info } = await this.run(() =>
      image
        .resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .jpeg(this.jpegOptions())
        .toBuffer({ resolveWithObject: true }),
    );
    return { data, width: info.width, height: info.height };
  }

  /**
   * Upright sRGB pixels (alpha flattened onto white), optionally scaled down to fit inside
   * `maxWidth` × `maxHeight` (never enlarged).
   */
  async rawRgb(
    buf: Buffer,
    fit: { maxWidth?: number; maxHeight?: number } = {},
  ): Promise<RawRgbImage> {
    await this.readHeader(buf, sniffFormat(buf));
    let pipeline = await this.open(buf);
    if (fit.maxWidth !== undefined || fit.maxHeight !== undefined) {
      pipeline = pipeline.resize(fit.maxWidth ?? null, fit.maxHeight ?? null, {
        fit: 'inside',
        withoutEnlargement: true,
      });
    }
    const { data, info } = await this.run(() =>
      pipeline
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true }),
    );
    return { data, width: info.width, height: info.height };
  }

  /**
   * Scales raw RGB pixels to exactly `width` × `height` (e.g. the face detector's image pyramid:
   * pass `(img, w, h) => processor.resizeRaw(img, w, h)` as its `resize` option).
   */
  async resizeRaw(
    pixels: { data: Buffer | Uint8Array; width: number; height: number },
    width: number,
    height: number,
  ): Promise<RawRgbImage> {
    assertPositiveInt(width, 'width');
    assertPositiveInt(height, 'height');
    const input = Buffer.isBuffer(pixels.data)
      ? pixels.data
      : Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
    assertRaw({ data: input, width: pixels.width, height: pixels.height });
    const sharp = await this.sharp();
    const data = await sharp(input, {
      raw: { width: pixels.width, height: pixels.height, channels: 3 },
    })
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    return { data, width, height };
  }

  /** Encodes raw RGB pixels as a metadata-free JPEG. */
  async encodeJpeg(pixels: RawRgbImage): Promise<EncodedImage> {
    assertRaw(pixels);
    const sharp = await this.sharp();
    const data = await sharp(pixels.data, {
      raw: { width: pixels.width, height: pixels.height, channels: 3 },
    })
      .jpeg(this.jpegOptions())
      .toBuffer();
    return { data, width: pixels.width, height: pixels.height };
  }

  /**
   * Irreversibly obscures every region (each grown by a margin) and returns a metadata-free JPEG.
   * Each region is reduced to a few blocks of average colour, random noise is added to every
   * block (from the OS random source, so it cannot be subtracted), and the blocks are smeared back
   * smoothly with a feathered edge. The face's own pixels are replaced, not filtered: nothing of
   * their detail is left in the output to be sharpened or deconvolved back.
   *
   * `input` is an encoded image (untrusted: checked like any upload) or already-decoded pixels.
   */
  async blurRegions(
    input: Buffer | RawRgbImage,
    regions: readonly Region[],
    options: BlurOptions = {},
  ): Promise<EncodedImage> {
    const pixels = Buffer.isBuffer(input) ? await this.rawRgb(input) : copyRaw(input);
    obscureRegions(pixels, regions, options);
    return this.encodeJpeg(pixels);
  }

  /**
   * A scanned document (a consent form photographed or scanned) without any metadata: EXIF (GPS,
   * Artist, camera serial), XMP, IPTC, ICC and comments are dropped, the EXIF orientation is
   * applied, and the format is kept (a PNG stays lossless; a JPEG is re-encoded at high quality so
   * handwriting stays legible). Refusals throw {@link ImageRejectedError}.
   */
  async stripScan(buf: Buffer): Promise<{ data: Buffer; format: 'jpeg' | 'png' }> {
    const format = sniffFormat(buf);
    if (format !== 'jpeg' && format !== 'png') throw rejected('unsupported_format');
    await this.readHeader(buf, format);
    const image = await this.open(buf);
    const data = await this.run(() =>
      format === 'png'
        ? image.png({ compressionLevel: 6 }).toBuffer()
        : image.jpeg({ ...this.jpegOptions(), quality: 92, chromaSubsampling: '4:4:4' }).toBuffer(),
    );
    return { data, format };
  }

  /**
   * A logo for a public page: a PNG or JPEG upload (anything else is refused), decoded in full,
   * upright, sRGB, scaled to fit `maxWidth` × `maxHeight` (never enlarged) and encoded afresh as
   * a PNG (transparency kept) with no metadata at all.
   */
  async logo(
    buf: Buffer,
    fit: { maxWidth: number; maxHeight: number },
  ): Promise<EncodedImage & { format: 'png' }> {
    assertPositiveInt(fit.maxWidth, 'maxWidth');
    assertPositiveInt(fit.maxHeight, 'maxHeight');
    const format = sniffFormat(buf);
    if (format !== 'jpeg' && format !== 'png') throw rejected('unsupported_format');
    await this.readHeader(buf, format);
    const image = await this.open(buf);
    const { data, info } = await this.run(() =>
      image
        .resize(fit.maxWidth, fit.maxHeight, { fit: 'inside', withoutEnlargement: true })
        .toColourspace('srgb')
        .png({ compressionLevel: 9 })
        .toBuffer({ resolveWithObject: true }),
    );
    return { data, width: info.width, height: info.height, format: 'png' };
  }

  /**
   * A PNG drawn from SVG that Lanyard wrote itself (e.g. the demo school's logo). Never for an
   * upload: uploads go through {@link sniffFormat}, which refuses SVG.
   */
  async renderOwnSvg(svg: string): Promise<Buffer> {
    const sharp = await this.sharp();
    return sharp(Buffer.from(svg, 'utf8')).png({ compressionLevel: 9 }).toBuffer();
  }

  /** Whether an image still carries metadata (EXIF, XMP, IPTC, ICC or text comments). */
  async hasMetadata(buf: Buffer): Promise<boolean> {
    const sharp = await this.sharp();
    const meta = await this.run(() => sharp(buf, { limitInputPixels: false }).metadata());
    return !!(meta.exif || meta.xmp || meta.iptc || meta.icc || meta.comments?.length);
  }

  /** Whether this sharp build can decode HEIC (HEVC) photos; probed once. */
  async canDecodeHeic(): Promise<boolean> {
    if (this.heicDecodable === undefined) {
      const sharp = await this.sharp();
      try {
        const heic = await sharp({
          create: { width: 16, height: 16, channels: 3, background: '#808080' },
        })
          .heif({ compression: 'hevc' })
          .toBuffer();
        await sharp(heic).raw().toBuffer();
        this.heicDecodable = true;
      } catch {
        this.heicDecodable = false;
      }
    }
    return this.heicDecodable;
  }

  private async open(buf: Buffer): Promise<Sharp> {
    const sharp = await this.sharp();
    return sharp(buf, {
      failOn: 'truncated',
      limitInputPixels: this.maxInputPixels,
      autoOrient: true,
      sequentialRead: true,
      pages: 1,
    });
  }

  private jpegOptions(): JpegOptions {
    return {
      quality: this.jpegQuality,
      optimiseCoding: false,
      mozjpeg: false,
      chromaSubsampling: '4:2:0',
    };
  }

  /** Header-only checks: format allowed, pixel count within the limit. */
  private async readHeader(
    buf: Buffer,
    format: ImageFormat,
  ): Promise<{ width: number; height: number; pages: number }> {
    if (format === 'heic' && !(await this.canDecodeHeic())) {
      throw rejected('heic_unsupported');
    }
    const sharp = await this.sharp();
    const meta = await this.run(() => sharp(buf, { limitInputPixels: false }).metadata());
    const width = meta.width;
    const height = meta.height;
    if (!width || !height) throw rejected('not_an_image');
    if (width * height > this.maxInputPixels) throw rejected('too_many_pixels');
    const upright = meta.autoOrient ?? { width, height };
    return { width: upright.width, height: upright.height, pages: meta.pages ?? 1 };
  }

  /** Runs a sharp call, turning its failures into {@link ImageRejectedError}. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toRejection(e);
    }
  }
}

function rejected(code: ImageRejectionCode): ImageRejectedError {
  return new ImageRejectedError(code, MESSAGES[code]);
}

function toRejection(e: unknown): Error {
  if (e instanceof ImageRejectedError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/pixel limit/i.test(message)) return rejected('too_many_pixels');
  if (/premature end|truncat|unexpected end|not enough data|read error|short read/i.test(message)) {
    return rejected('truncated');
  }
  if (/heif|hevc|codec/i.test(message)) return rejected('heic_unsupported');
  // Anything else sharp/libvips cannot decode: corrupt data in a file that looked like an image.
  if (/unsupported image format|bad|corrupt|invalid|error/i.test(message)) {
    return rejected('truncated');
  }
  return e instanceof Error ? e : new Error(message);
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/**
 * The format of `buf` from its first bytes, or an {@link ImageRejectedError}. Never trusts a file
 * name or a declared content type.
 */
export function sniffFormat(buf: Buffer): ImageFormat {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (
    buf.length >= 8 &&
    buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'png';
  }
  if (
    buf.length >= 12 &&
    buf.toString('latin1', 0, 4) === 'RIFF' &&
    buf.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  if (buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp') {
    const brands = [buf.toString('latin1', 8, 12)];
    const boxSize = buf.readUInt32BE(0);
    for (let i = 16; i + 4 <= Math.min(boxSize, buf.length, 64); i += 4) {
      brands.push(buf.toString('latin1', i, i + 4));
    }
    if (brands.some((b) => b === 'avif' || b === 'avis')) throw rejected('unsupported_format');
    if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
    throw rejected('not_an_image'); // MP4, MOV and other ISO media files
  }
  if (looksLikeSvg(buf)) throw rejected('svg');
  if (looksLikeOtherImage(buf)) throw rejected('unsupported_format');
  throw rejected('not_an_image');
}

function looksLikeSvg(buf: Buffer): boolean {
  // Text that opens an XML document or an <svg> element within its first kilobyte. UTF-16 SVG
  // (rare) is caught by the NUL-stripped copy.
  const head = Buffer.from(buf.subarray(0, 1024).filter((b) => b !== 0))
    .toString('latin1')
    .replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '')
    .trimStart()
    .toLowerCase();
  return head.includes('<svg') || (head.startsWith('<?xml') && head.includes('svg'));
}

function looksLikeOtherImage(buf: Buffer): boolean {
  const ascii = buf.toString('latin1', 0, 6);
  return (
    ascii.startsWith('GIF8') ||
    ascii.startsWith('BM') ||
    ascii.startsWith('II*\u0000') ||
    ascii.startsWith('MM\u0000*') ||
    ascii.startsWith('8BPS') ||
    (buf.length >= 12 &&
      buf.readUInt32BE(0) === 12 &&
      buf.toString('latin1', 4, 8) === 'jP  ') /* JPEG 2000 */ ||
    (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0x0a) /* JPEG XL */
  );
}
