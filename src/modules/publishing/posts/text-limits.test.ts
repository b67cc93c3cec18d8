import { describe, expect, it } from 'vitest';
import { channelText, cutToGraphemes, graphemeLength } from './text-limits.ts';

describe('channel text limits', () => {
  it('counts graphemes, not UTF-16 units', () => {
    expect(graphemeLength('café 👩‍👩‍👧')).toBe(6);
  });

  it('leaves text that fits alone and cuts longer text at a word with an ellipsis', () => {
    expect(cutToGraphemes('Sports day', 10)).toBe('Sports day');
    const cut = cutToGraphemes('Year 3 had a wonderful sports day in the sunshine', 30);
    expect(graphemeLength(cut)).toBeLessThanOrEqual(30);
    expect(cut).toBe('Year 3 had a wonderful sports…');
  });

  it('never splits an emoji', () => {
    const cut = cutToGraphemes('👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧', 2);
    expect(cut).toBe('👩‍👩‍👧…');
  });

  it('puts the title in the text only for channels without a title', () => {
    expect(channelText('news', null, 'Title', 'Body')).toBe('Body');
    expect(channelText('social', null, 'Title', 'Body')).toBe('Title\n\nBody');
  });
});
