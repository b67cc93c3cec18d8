/**
 * Video containers Lanyard stores without processing, recognised by their first bytes (never by
 * the file name). Images are recognised by the image processor (platform/images).
 */
export type VideoFormat = 'mp4' | 'mov' | 'webm';

export const videoContentTypes: Record<VideoFormat, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

const HEIF_BRANDS = new Set([
  'heic',
  'heix',
  'hevc',
  'hevx',
  'heim',
  'heis',
  'mif1',
  'msf1',
  'avif',
  'avis',
]);

/** The video format of `buf`, or null when it is not a video container Lanyard stores. */
export function sniffVideo(buf: Buffer): VideoFormat | null {
  if (buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp') {
    const major = buf.toString('latin1', 8, 12);
    if (HEIF_BRANDS.has(major)) return null; // a still image (HEIC/AVIF)
    const size = buf.readUInt32BE(0);
    const brands = [major];
    for (let i = 16; i + 4 <= Math.min(size, buf.length, 64); i += 4)
      brands.push(buf.toString('latin1', i, i + 4));
    if (
      brands.some((b) => HEIF_BRANDS.has(b)) &&
      !brands.some((b) => /^(isom|mp4|avc1|qt {2})/.test(b))
    )
      return null;
    return major === 'qt  ' ? 'mov' : 'mp4';
  }
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x1a45dfa3) {
    const head = buf.toString('latin1', 0, Math.min(buf.length, 64));
    return head.includes('webm') ? 'webm' : null;
  }
  return null;
}
