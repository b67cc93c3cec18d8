/**
 * The text a channel receives: cut to its length in graphemes (what people count as characters:
 * an emoji or an accented letter is one), at a word boundary where one is near, with an ellipsis.
 */

const segmenter = new Intl.Segmenter('en-GB', { granularity: 'grapheme' });

export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** `text` cut to at most `max` graphemes (the ellipsis included); unchanged when it fits. */
export function cutToGraphemes(text: string, max: number | null): string {
  if (max === null || max <= 0) return text;
  const graphemes = [...segmenter.segment(text)].map((s) => s.segment);
  if (graphemes.length <= max) return text;
  const kept = graphemes.slice(0, Math.max(0, max - 1)).join('');
  // Back to the last space if it is not too far (a fifth of the limit), so no word is cut.
  const space = kept.search(/\s\S*$/);
  const cut = space > kept.length * 0.8 ? kept.slice(0, space) : kept;
  return `${cut.trimEnd()}…`;
}

/** Channels without a title field get the title as the first line of the text. */
export function titleInText(kind: string): boolean {
  return kind === 'social' || kind === 'bluesky';
}

/** What goes out on a channel of this kind and limit. */
export function channelText(
  kind: string,
  maxLength: number | null,
  title: string,
  body: string,
): string {
  const full = titleInText(kind) ? `${title}\n\n${body}` : body;
  return cutToGraphemes(full, maxLength);
}
