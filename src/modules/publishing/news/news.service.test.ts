import { describe, expect, it } from 'vitest';
import { jpegHasMetadata, paragraphsOf } from './news.service.ts';

const seg = (marker: number, payload: string) => {
  const body = Buffer.from(payload, 'latin1');
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
};
const SOI = Buffer.from([0xff, 0xd8]);
const SOS = Buffer.from([0xff, 0xda, 0, 2, 1, 2, 3]);

describe('jpegHasMetadata: a news image is served only without metadata', () => {
  it.each([
    ['JFIF and tables only', [seg(0xe0, 'JFIF\0'), seg(0xdb, 'q')], false],
    ['EXIF (APP1)', [seg(0xe0, 'JFIF\0'), seg(0xe1, 'Exif\0\0')], true],
    ['XMP (APP1)', [seg(0xe1, 'http://ns.adobe.com/xap/1.0/\0<x/>')], true],
    ['IPTC (APP13)', [seg(0xed, 'Photoshop 3.0\0')], true],
    ['a comment', [seg(0xfe, 'caption')], true],
  ])('%s', (_what, segments, expected) => {
    expect(jpegHasMetadata(Buffer.concat([SOI, ...segments, SOS]))).toBe(expected);
  });

  it('treats what is not a JPEG as unsafe', () => {
    expect(jpegHasMetadata(Buffer.from('not a jpeg'))).toBe(true);
  });
});

describe('paragraphsOf', () => {
  it('splits on blank lines and drops empty ones', () => {
    expect(paragraphsOf('One.\n\n  Two.\nstill two\n\n\n')).toEqual(['One.', 'Two.\nstill two']);
  });
});
