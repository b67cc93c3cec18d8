/**
 * A name to show for an uploaded file: its base name without folders or control characters, at
 * most 200 characters, or `fallback` when nothing printable is left.
 */
export function displayFilename(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const printable = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return printable.slice(0, 200) || fallback;
}
