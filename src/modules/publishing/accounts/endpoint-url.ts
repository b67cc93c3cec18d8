import net from 'node:net';

/**
 * Whether Lanyard will send deliveries to this address, as a sentence for the form, or null when
 * it will: https only (posts and signatures are not sent in clear), no user name or password in
 * the address (Lanyard never stores account passwords), at most 2,000 characters. Plain http is
 * allowed to a loopback address when `allowLoopbackHttp` (a receiver on the same machine).
 */
export function endpointProblem(
  value: string,
  options: { allowLoopbackHttp: boolean },
): string | null {
  if (value.length > 2000) return 'The address must be 2,000 characters or fewer';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter the address in the correct format, like https://example.org/lanyard';
  }
  if (url.username || url.password) return 'The address must not contain a user name or password';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && options.allowLoopbackHttp && isLoopback(url.hostname))
    return null;
  return 'The address must start with https://';
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  return h === '::1';
}
