import { describe, expect, it } from 'vitest';
import { stoppedUses } from './consent-reads.ts';

const label = (key: string) =>
  ({ school_website: 'School website', local_newspapers: 'Local newspapers' })[key] ?? key;

describe('what a withdrawal stops, in words', () => {
  it('says which media: photos only when videos are still allowed', () => {
    expect(
      stoppedUses({ 'school_website/image': 'refused', 'school_website/video': 'granted' }, label),
    ).toEqual(['photos for School website']);
  });

  it('names both media, and naming, where each is refused', () => {
    expect(
      stoppedUses(
        {
          'local_newspapers/video': 'refused',
          'local_newspapers/image': 'refused',
          'local_newspapers/name': 'refused',
          'school_website/video': 'refused',
        },
        label,
      ),
    ).toEqual([
      'photos and videos for Local newspapers',
      'being named with a photo for Local newspapers',
      'videos for School website',
    ]);
  });

  it('lists nothing when nothing is refused', () => {
    expect(stoppedUses({ 'school_website/image': 'granted' }, label)).toEqual([]);
  });
});
