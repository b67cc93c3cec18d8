import { describe, expect, it } from 'vitest';
import { ImageProcessor, ImageRejectedError } from './image-processor.ts';

/** `ImageProcessor.logo`: PNG or JPEG in, a fresh metadata-free PNG out, scaled to fit. */
describe('a logo for the news page', () => {
  const images = new ImageProcessor();
  const fit = { maxWidth: 480, maxHeight: 120 };

  it('re-encodes a tall JPEG with a comment as a PNG at most 120 px high, with nothing of its metadata', async () => {
    const px = Buffer.alloc(300 * 600 * 3, 90);
    const jpeg = (await images.encodeJpeg({ data: px, width: 300, height: 600 })).data;
    const comment = Buffer.from('LOGO-SECRET-COMMENT', 'latin1');
    const head = Buffer.from([0xff, 0xfe, 0, comment.length + 2]);
    const marked = Buffer.concat([jpeg.subarray(0, 2), head, comment, jpeg.subarray(2)]);
    const out = await images.logo(marked, fit);
    expect(out.format).toBe('png');
    expect([out.width, out.height]).toEqual([60, 120]);
    expect(out.data.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(out.data.includes(comment)).toBe(false);
    expect(await images.hasMetadata(out.data)).toBe(false);
  });

  it('keeps a small PNG its size (never enlarged) and its transparency', async () => {
    const svg = await images.renderOwnSvg(
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><circle cx="15" cy="15" r="10" fill="#1d5c3a"/></svg>',
    );
    const out = await images.logo(svg, fit);
    expect([out.width, out.height]).toEqual([40, 30]);
    // Colour type 6: RGB with alpha.
    expect(out.data[25]).toBe(6);
  });

  it('refuses SVG, WebP and what is not an image', async () => {
    const webp = await images.thumbnail(
      (await images.encodeJpeg({ data: Buffer.alloc(8 * 8 * 3), width: 8, height: 8 })).data,
      8,
    );
    const cases: [string, Buffer][] = [
      ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')],
      ['text', Buffer.from('not a picture at all')],
      ['riff', Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 '), webp.data])],
    ];
    for (const [name, bytes] of cases)
      await expect(images.logo(bytes, fit), name).rejects.toBeInstanceOf(ImageRejectedError);
  });
});
