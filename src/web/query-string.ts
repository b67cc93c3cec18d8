/**
 * The start of a list page's link with its filters kept (`?q=smith&year=3&`, or `?`), to which
 * the pagination adds `page=N`. Empty filters are left out.
 */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}&` : '?';
}
