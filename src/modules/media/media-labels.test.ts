import { describe, expect, it } from 'vitest';
import { pupilNameInLabel } from './media-labels.ts';
import { sniffVideo } from './media-formats.ts';

describe('event labels never carry pupils’ names (003 §4.12, §4.14)', () => {
  const pupils = [
    { givenName: 'Zoë', familyName: 'Day' },
    { givenName: 'Amir', familyName: 'Hill' },
    { givenName: 'Jo', familyName: 'Field' },
  ];

  it('finds a full name or a first name as a whole word, ignoring case and accents', () => {
    expect(pupilNameInLabel('Sports day – Amir Hill wins', pupils)).toBe('Amir Hill');
    expect(pupilNameInLabel("zoe's first swim", pupils)).toBe('Zoë');
    expect(pupilNameInLabel('AMIR at the museum', pupils)).toBe('Amir');
  });

  it('accepts general labels, family names that are ordinary words, and parts of words', () => {
    expect(pupilNameInLabel('sports day', pupils)).toBeNull();
    expect(pupilNameInLabel('trip to Hill Top farm', pupils)).toBeNull();
    expect(pupilNameInLabel('Year 4 journey', pupils)).toBeNull();
    expect(pupilNameInLabel('', pupils)).toBeNull();
  });
});

describe('video containers are recognised by their bytes', () => {
  const ftyp = (brand: string, compat = '') =>
    Buffer.concat([
      Buffer.from([0, 0, 0, 0x18]),
      Buffer.from(`ftyp${brand}\0\0\0\0${compat}`, 'latin1'),
    ]);

  it('knows MP4, QuickTime and WebM, and leaves HEIC photos to the image processor', () => {
    expect(sniffVideo(ftyp('isom', 'mp41'))).toBe('mp4');
    expect(sniffVideo(ftyp('qt  '))).toBe('mov');
    expect(
      sniffVideo(Buffer.concat([Buffer.from('1a45dfa3', 'hex'), Buffer.from('....webm')])),
    ).toBe('webm');
    expect(sniffVideo(ftyp('heic', 'mif1'))).toBeNull();
    expect(sniffVideo(Buffer.from('<svg/>'))).toBeNull();
  });
});
